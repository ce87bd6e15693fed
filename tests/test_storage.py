"""app.storage: the local folder and an S3-compatible object store, the same promises for both.

The S3 store is a real one: moto's S3 server, started as its own process on loopback by these
tests (no mock of the client)."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask

import app as app_package
from app.storage import KEY_PATTERN, LocalStorage, S3Storage, check_key, new_key, storage_from_config
from config import TestConfig

HOSTILE_KEYS = [
    "",
    "..",
    "../../etc/passwd",
    "/etc/passwd",
    "a/b" + "c" * 30,
    "..%2f..%2f" + "c" * 30,
    "c" * 30 + "\x00",
    "c" * 30 + ".png",
    "C:\\Windows\\" + "c" * 30,
    "kort",
    "c" * 101,
    "c" * 30 + "\n",
    " " + "c" * 30,
    "ｃ" * 30,  # fullwidth letters
    None,
    42,
]


def test_new_keys_are_random_url_and_file_name_safe():
    keys = {new_key() for _ in range(2000)}
    assert len(keys) == 2000
    for key in keys:
        assert KEY_PATTERN.fullmatch(key) and len(key) == 43
        assert check_key(key) == key


@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=repr)
def test_keys_that_are_not_ours_are_refused(key, tmp_path):
    with pytest.raises(ValueError):
        check_key(key)
    storage = LocalStorage(tmp_path / "bijlagen")
    for call in (lambda: storage.put(key, b"x", "image/png"), lambda: storage.get(key), lambda: storage.delete(key)):
        with pytest.raises(ValueError):
            call()
    assert not (tmp_path / "bijlagen").exists()  # nothing was made anywhere


def _promises(storage) -> None:
    """What every storage keeps: put/get round trip, overwrite, KeyError when absent,
    idempotent delete, keys independent."""
    first, second = new_key(), new_key()
    with pytest.raises(KeyError):
        storage.get(first)
    storage.delete(first)  # absent is fine
    payload = bytes(range(256)) * 4000 + b"\x00\r\n"  # binary, 1 MB
    storage.put(first, payload, "image/png")
    storage.put(second, b"%PDF-1.7 tweede", "application/pdf")
    assert storage.get(first) == payload
    assert storage.get(second) == b"%PDF-1.7 tweede"
    storage.put(first, b"opnieuw", "image/png")
    assert storage.get(first) == b"opnieuw"
    storage.delete(first)
    storage.delete(first)
    with pytest.raises(KeyError):
        storage.get(first)
    assert storage.get(second) == b"%PDF-1.7 tweede"
    storage.put(first, b"", "image/png")
    assert storage.get(first) == b""
    storage.delete(first)
    storage.delete(second)


def test_local_storage_keeps_its_promises(tmp_path):
    root = tmp_path / "bijlagen"
    storage = LocalStorage(root)
    _promises(storage)
    key = new_key()
    storage.put(key, b"inhoud", "image/jpeg")
    path = root / key[:2] / key
    assert path.read_bytes() == b"inhoud"
    # only the app's own user can read it
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert key in storage


def test_local_storage_writes_atomically_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    key = new_key()
    storage.put(key, b"oud", "image/png")

    def crash(*args):
        raise OSError("disk full")

    # a write that fails half-way leaves the old file whole and no temporary file behind
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        storage.put(key, b"nieuw" * 1000, "image/png")
    monkeypatch.undo()
    assert storage.get(key) == b"oud"
    assert [p.name for p in (tmp_path / key[:2]).iterdir()] == [key]


def _app(tmp_path) -> Flask:
    app = Flask("rodeknop-storage-test", instance_path=str(tmp_path / "instance"))
    app.config.from_object(TestConfig)
    return app


def test_local_storage_from_config_is_outside_static_and_test_folder_is_temporary(tmp_path):
    app = _app(tmp_path)
    storage = storage_from_config(app)
    assert isinstance(storage, LocalStorage)
    static = (Path(app_package.__file__).parent / "static").resolve()
    assert static not in storage.root.resolve().parents and storage.root.resolve() != static
    assert storage.root.name == f"rodeknop-test-bijlagen-{os.getpid()}"
    # the default without ATTACHMENTS_DIR: the instance folder's bijlagen
    app.config["ATTACHMENTS_DIR"] = ""
    assert storage_from_config(app).root == (Path(app.instance_path) / "bijlagen").resolve()
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "elders")
    assert storage_from_config(app).root == (tmp_path / "elders").resolve()
    # never where the web server hands out files to anyone
    for inside in (static, static / "bijlagen", static / ".." / "static" / "x"):
        app.config["ATTACHMENTS_DIR"] = str(inside)
        with pytest.raises(RuntimeError, match="outside app/static"):
            storage_from_config(app)
    app.config["ATTACHMENTS_STORAGE"] = "ftp"
    with pytest.raises(RuntimeError, match="ATTACHMENTS_STORAGE"):
        storage_from_config(app)


# --- S3 against a real S3-compatible server on loopback ------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto S3 server did not start: " + log.read_text()[-2000:]) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def s3_storage(s3_endpoint):
    storage = S3Storage(
        bucket="rodeknop-bijlagen",
        endpoint_url=s3_endpoint,
        access_key="test-access",
        secret_key="test-secret",
        region="eu-west-1",
        prefix="bijlagen/",
    )
    with contextlib.suppress(storage.client.exceptions.BucketAlreadyOwnedByYou):
        storage.client.create_bucket(
            Bucket="rodeknop-bijlagen", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    return storage


def test_s3_storage_keeps_its_promises(s3_storage):
    _promises(s3_storage)
    key = new_key()
    s3_storage.put(key, b"\x89PNG inhoud", "image/png")
    head = s3_storage.client.head_object(Bucket="rodeknop-bijlagen", Key="bijlagen/" + key)
    assert head["ContentType"] == "image/png" and head["ContentLength"] == len(b"\x89PNG inhoud")
    listed = s3_storage.client.list_objects_v2(Bucket="rodeknop-bijlagen", Prefix="bijlagen/")
    assert [item["Key"] for item in listed["Contents"]] == ["bijlagen/" + key]
    s3_storage.delete(key)


@pytest.mark.parametrize("key", ["../" + "c" * 30, "c" * 30 + "/x", "", "c" * 30 + "?versionId=1"], ids=repr)
def test_s3_storage_refuses_keys_that_are_not_ours(s3_storage, key):
    with pytest.raises(ValueError):
        s3_storage.put(key, b"x", "image/png")
    with pytest.raises(ValueError):
        s3_storage.get(key)


def test_s3_storage_from_config(s3_endpoint, s3_storage, tmp_path):
    app = _app(tmp_path)
    app.config.update(
        ATTACHMENTS_STORAGE="s3",
        S3_ENDPOINT_URL=s3_endpoint,
        S3_BUCKET="rodeknop-bijlagen",
        S3_ACCESS_KEY="test-access",
        S3_SECRET_KEY="test-secret",
        S3_REGION="eu-west-1",
        S3_PREFIX="",
    )
    storage = storage_from_config(app)
    assert isinstance(storage, S3Storage)
    key = new_key()
    storage.put(key, b"via de configuratie", "application/pdf")
    assert s3_storage.client.get_object(Bucket="rodeknop-bijlagen", Key=key)["Body"].read() == b"via de configuratie"
    storage.delete(key)
    app.config["S3_BUCKET"] = ""
    with pytest.raises(ValueError, match="S3_BUCKET"):
        storage_from_config(app)


def test_s3_storage_that_cannot_be_reached_raises_and_stores_nothing():
    storage = S3Storage(
        bucket="rodeknop-bijlagen",
        endpoint_url=f"http://127.0.0.1:{_free_port()}",
        access_key="a",
        secret_key="b",
        region="eu-west-1",
        timeout=2,
    )
    from botocore.exceptions import EndpointConnectionError

    with pytest.raises(EndpointConnectionError):
        storage.put(new_key(), b"x", "image/png")
