"""Outgoing HTTP for the outboxes that talk to other servers (webhooks, app.webhooks; the
shared register, app.services.register): one request, no redirect followed, the connection
and each read with their own time limit (WEBHOOK_CONNECT_TIMEOUT, WEBHOOK_READ_TIMEOUT),
and no more of the answer read than a given number of bytes."""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urlsplit

from flask import current_app


class Refused(Exception):
    """The request did not count: why, and the HTTP status if there was an answer."""

    def __init__(self, error: str, status: int | None = None):
        super().__init__(error)
        self.error = error
        self.status = status


def send(method: str, url: str, body: bytes | None, headers: dict[str, str], *, max_bytes: int) -> tuple[int, bytes]:
    """Send one request; returns the 2xx status and at most `max_bytes` of the answer, or
    raises Refused (no connection, a time limit passed, or any other status)."""
    config = current_app.config
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=config["WEBHOOK_CONNECT_TIMEOUT"], context=ssl.create_default_context()
        )
    elif parts.scheme == "http":
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=config["WEBHOOK_CONNECT_TIMEOUT"])
    else:
        raise Refused("Geen http- of https-adres.")
    try:
        connection.connect()
        connection.sock.settimeout(config["WEBHOOK_READ_TIMEOUT"])
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(max_bytes)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        raise Refused(f"{type(error).__name__}: {error}"[:500]) from error
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise Refused(f"Antwoord {status}", status)
    return status, answer
