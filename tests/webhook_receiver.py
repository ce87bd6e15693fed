"""A real HTTP receiver for webhooks on loopback (a threaded http.server on a free port),
which verifies every signature the way the README tells a receiver to."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """The receiver's check, written out as in the README (not app.webhooks.verify)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None = None


@dataclass
class Receiver:
    """`status` is what it answers (a 3xx with a Location to try redirects); `delay`
    seconds before answering; `secret` to verify the signature of every request."""

    status: int = 200
    delay: float = 0
    secret: str | None = None
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/rodeknop/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                verified = None
                if receiver.secret is not None:
                    verified = verify_signature(receiver.secret, headers.get("Rodeknop-Signature", ""), body)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body, verified))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elders")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until start() again (on the same port)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivery_ids(self) -> list[str]:
        return [r.headers.get("Rodeknop-Delivery") for r in self.requests]
