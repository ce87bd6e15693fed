"""app.virusscan against a REAL clamd on loopback, and app.uploads.clean with it.

The clamd is started here: a folder of its own, its own clamd.conf (TCP on 127.0.0.1 and a
unix socket), and a tiny signature database made here (the EICAR test string as a body
signature), so it starts in about a second and never asks the internet for signatures.
Without clamd on the machine these tests skip, and fail in CI (CI=true or
RODEKNOP_REQUIRE_CLAMD=1; .ci/run installs clamav-daemon)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from app.uploads import FileRefused, clean
from app.virusscan import Scanner, ScannerUnavailable, scan_required_from_config, scanner_from_config
from config import Config

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Rodeknop.Test.EICAR"
CLAMD = shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd", "/usr/bin/clamd") if os.path.exists(p)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _png(size=(120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """(tcp address, unix socket address) of a clamd of our own."""
    if CLAMD is None:
        message = "clamd is not installed (Debian: apt-get install clamav-daemon)"
        if os.environ.get("RODEKNOP_REQUIRE_CLAMD") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # A unix socket path must stay short (about 100 bytes): a folder right under /tmp.
    folder = Path(tmp_path_factory.mktemp("clamd"))
    database = folder / "db"
    database.mkdir()
    # a body signature: the EICAR string anywhere in a file
    (database / "rodeknop-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    port = _free_port()
    unix_socket = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"LocalSocket {unix_socket}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {folder}",
                f"PidFile {folder / 'clamd.pid'}",
                f"LogFile {folder / 'clamd.log'}",
                "StreamMaxLength 5M",
                "ReadTimeout 10",
                "Bytecode no",
                "",
            ]
        )
    )
    output = folder / "output.log"
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [CLAMD, "--config-file", str(config)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        scanner = Scanner(f"tcp://127.0.0.1:{port}", timeout=5)
        deadline = time.monotonic() + 60
        while not scanner.ping():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"clamd did not start: {output.read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"tcp://127.0.0.1:{port}", str(unix_socket)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_clamd_finds_eicar_and_passes_a_clean_file_over_tcp_and_unix_socket(clamd):
    tcp, unix_path = clamd
    for address in (tcp, unix_path, "unix://" + unix_path):
        scanner = Scanner(address, timeout=10)
        assert scanner.ping()
        assert scanner.scan(EICAR) == SIGNATURE + ".UNOFFICIAL"  # clamd marks signatures not its own
        assert scanner.scan(_png()) is None
        assert scanner.scan(b"") is None
        # EICAR hidden behind an image, across chunk boundaries (64 KiB)
        padding = os.urandom(64 * 1024 - 20)
        assert scanner.scan(_png() + padding + EICAR + padding).startswith(SIGNATURE)


def test_upload_with_eicar_is_refused_as_infected_and_a_clean_one_passes(clamd):
    scanner = Scanner(clamd[0], timeout=10)
    for required in (True, False):
        with pytest.raises(FileRefused) as caught:
            clean(EICAR, max_bytes=10_000_000, scanner=scanner, scan_required=required)
        assert caught.value.reason == "infected" and "virus" in caught.value.message
        # the original bytes are scanned, before anything is decoded: an image carrying
        # EICAR after its end (which re-encoding would drop) is refused too
        with pytest.raises(FileRefused) as caught:
            clean(_png() + EICAR, max_bytes=10_000_000, scanner=scanner, scan_required=required)
        assert caught.value.reason == "infected"
        result = clean(_png(), max_bytes=10_000_000, scanner=scanner, scan_required=required)
        assert result.kind == "image" and result.width == 120


def test_a_file_past_clamds_stream_limit_is_not_passed_unscanned(clamd):
    scanner = Scanner(clamd[0], timeout=10)
    big = Image.effect_noise((1800, 1800), 80).convert("RGB")
    out = io.BytesIO()
    big.save(out, "PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) > 5 * 1024 * 1024  # past StreamMaxLength 5M
    with pytest.raises(ScannerUnavailable):
        scanner.scan(data)
    with pytest.raises(FileRefused) as caught:
        clean(data, max_bytes=50_000_000, scanner=scanner, scan_required=True)
    assert caught.value.reason == "scanner_down"


def test_scanner_that_is_down_refuses_when_required_and_passes_with_a_warning_when_not(tmp_path, caplog):
    for address in (f"tcp://127.0.0.1:{_free_port()}", str(tmp_path / "geen.sock")):
        scanner = Scanner(address, timeout=2)
        assert not scanner.ping()
        with pytest.raises(ScannerUnavailable):
            scanner.scan(b"x")
        with pytest.raises(FileRefused) as caught:
            clean(_png(), max_bytes=10_000_000, scanner=scanner, scan_required=True)
        assert caught.value.reason == "scanner_down"
        assert "Probeer het over een paar minuten opnieuw" in caught.value.message
        with caplog.at_level("WARNING", logger="app.uploads"):
            assert clean(_png(), max_bytes=10_000_000, scanner=scanner, scan_required=False).kind == "image"
        assert "not scanned" in caplog.text


def test_scanner_that_hangs_times_out():
    # a server that accepts and never answers
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def accept():
        with contextlib.suppress(OSError):
            accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        scanner = Scanner(f"tcp://127.0.0.1:{listener.getsockname()[1]}", timeout=1)
        started = time.monotonic()
        with pytest.raises(FileRefused) as caught:
            clean(_png(), max_bytes=10_000_000, scanner=scanner, scan_required=True)
        assert caught.value.reason == "scanner_down"
        assert time.monotonic() - started < 10
    finally:
        for conn in accepted:
            conn.close()
        listener.close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    "address", ["", "   ", "http://127.0.0.1:3310", "tcp://127.0.0.1", "clamd.sock", "tcp://:3310"]
)
def test_addresses_that_are_not_a_socket_are_refused(address):
    with pytest.raises(ValueError):
        Scanner(address)


def test_scanner_from_config(tmp_path):
    app = Flask("rodeknop-virusscan-test")
    app.config.from_object(Config)
    app.config.update(CLAMD_SOCKET="", CLAMD_REQUIRED=False)
    assert scanner_from_config(app) is None and scan_required_from_config(app) is False
    app.config.update(CLAMD_SOCKET="tcp://127.0.0.1:3310", CLAMD_REQUIRED=True, CLAMD_TIMEOUT=7)
    scanner = scanner_from_config(app)
    assert scanner.target == ("127.0.0.1", 3310) and scanner.timeout == 7
    assert scan_required_from_config(app) is True
    app.config.update(CLAMD_SOCKET="/run/clamav/clamd.ctl")
    assert scanner_from_config(app).target == "/run/clamav/clamd.ctl"


def test_clamd_required_defaults_to_on_once_a_socket_is_configured():
    def required(**env) -> str:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CLAMD_")} | env
        return subprocess.run(
            [sys.executable, "-c", "import config; print(config.Config.CLAMD_REQUIRED)"],
            env=environment,
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert required() == "False"
    assert required(CLAMD_SOCKET="tcp://127.0.0.1:3310") == "True"
    assert required(CLAMD_SOCKET="tcp://127.0.0.1:3310", CLAMD_REQUIRED="false") == "False"
    assert required(CLAMD_REQUIRED="true") == "True"


def test_scanner_that_trickles_its_answer_is_given_up_at_the_deadline():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def trickle():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(0.2)
            while not stop.is_set():
                with contextlib.suppress(OSError):  # read what is sent; answer a byte at a time, never ending
                    conn.recv(65536)
                try:
                    conn.sendall(b"s")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        scanner = Scanner(f"tcp://127.0.0.1:{listener.getsockname()[1]}", timeout=1.5)
        started = time.monotonic()
        with pytest.raises(ScannerUnavailable, match="time"):
            scanner.scan(_png())
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
