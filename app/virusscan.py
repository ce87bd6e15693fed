"""The virus scanner for attachments: ClamAV's clamd, asked over its socket (INSTREAM).

Configured by CLAMD_SOCKET: a unix socket path (`/run/clamav/clamd.ctl`, or `unix:///...`) or
`tcp://127.0.0.1:3310`; empty means no scanner. CLAMD_REQUIRED (default: on when a socket is
configured) makes an upload fail clearly while clamd cannot answer, instead of passing
unscanned (app.uploads.clean).

Our own small client rather than a library: the `clamd` package has had no release since
2014 (pyclamd since 2017); its fork `clamav-client` (Artefactual, maintained) is the same code
with type hints: 1 KiB chunks, a timeout per socket operation but none for the whole scan
(a clamd that trickles its answer holds the upload for ever), and a GPL-2.0 licence for
some 60 lines we need. The protocol we need is one command
(clamd(8), "zINSTREAM"): the command, then chunks each preceded by its length as 4 bytes big
endian, a zero length to end, and one answer line ("stream: OK", "stream: <name> FOUND" or
"... ERROR").
"""

from __future__ import annotations

import socket
import struct
import time
from urllib.parse import urlsplit

CHUNK = 64 * 1024
# A whole scan may take this long (seconds): connecting, sending and clamd's answer.
DEFAULT_TIMEOUT = 30.0
# clamd answers in one short line; more than this is not clamd.
MAX_ANSWER = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached, did not answer in time, or answered with an error (its
    StreamMaxLength exceeded, say): the file was NOT scanned."""


class Scanner:
    """One clamd, reached at `address` ("tcp://host:port", "unix:///path" or a bare path)."""

    def __init__(self, address: str, *, timeout: float = DEFAULT_TIMEOUT):
        address = address.strip()
        if not address:
            raise ValueError("clamd address is empty")
        parts = urlsplit(address)
        if parts.scheme == "tcp":
            if not parts.hostname or not parts.port:
                raise ValueError(f"clamd address {address!r}: use tcp://host:port")
            self.family, self.target = (
                socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET,
                (
                    parts.hostname,
                    parts.port,
                ),
            )
        elif parts.scheme == "unix":
            self.family, self.target = socket.AF_UNIX, parts.path
        elif parts.scheme == "" and address.startswith("/"):
            self.family, self.target = socket.AF_UNIX, address
        else:
            raise ValueError(f"clamd address {address!r}: use tcp://host:port or the path of a unix socket")
        self.address = address
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Scanner({self.address!r})"

    def scan(self, data: bytes) -> str | None:
        """The name of the signature clamd found in `data`, or None when it found nothing.
        Raises ScannerUnavailable when clamd cannot give an answer."""
        answer = self._ask(b"zINSTREAM\0", data)
        if not answer.startswith("stream:"):
            raise ScannerUnavailable(f"clamd answered {answer[:200]!r}")
        result = answer[len("stream:") :].strip()
        if result == "OK":
            return None
        if result.endswith(" FOUND"):
            return result[: -len(" FOUND")].strip() or "unknown"
        raise ScannerUnavailable(f"clamd answered {answer[:200]!r}")

    def ping(self) -> bool:
        """Whether clamd answers (PONG)."""
        try:
            return self._ask(b"zPING\0", None) == "PONG"
        except ScannerUnavailable:
            return False

    def _ask(self, command: bytes, data: bytes | None) -> str:
        deadline = time.monotonic() + self.timeout
        try:
            with socket.socket(self.family, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(self.target)
                sock.sendall(command)
                if data is not None:
                    view = memoryview(data)
                    for start in range(0, len(view), CHUNK):
                        _check(deadline)
                        chunk = view[start : start + CHUNK]
                        sock.sendall(struct.pack(">I", len(chunk)) + chunk.tobytes())
                    sock.sendall(struct.pack(">I", 0))
                answer = b""
                while not answer.endswith(b"\0"):
                    sock.settimeout(_check(deadline))
                    part = sock.recv(MAX_ANSWER)
                    if not part:
                        break
                    answer += part
                    if len(answer) > MAX_ANSWER:
                        raise ScannerUnavailable("clamd's answer is too long")
        except ScannerUnavailable:
            raise
        except OSError as exc:  # refused, absent socket, timeout, reset (clamd closes on StreamMaxLength)
            raise ScannerUnavailable(f"clamd at {self.address}: {exc}") from exc
        if not answer:
            raise ScannerUnavailable(f"clamd at {self.address} closed without answering")
        return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def _check(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ScannerUnavailable("clamd did not answer in time")
    return left


def scanner_from_config(app) -> Scanner | None:
    """The scanner CLAMD_SOCKET names, or None when none is configured."""
    address = (app.config.get("CLAMD_SOCKET") or "").strip()
    if not address:
        return None
    return Scanner(address, timeout=float(app.config.get("CLAMD_TIMEOUT", DEFAULT_TIMEOUT)))


def scan_required_from_config(app) -> bool:
    """Whether an upload must be refused when it cannot be scanned (CLAMD_REQUIRED)."""
    return bool(app.config.get("CLAMD_REQUIRED"))
