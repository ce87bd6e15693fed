"""Where attachment files live, behind one small interface (issue 13).

* `LocalStorage` (the default): a folder outside app/static (ATTACHMENTS_DIR, default
  `instance/bijlagen`), one file per key under a two-character subfolder; written atomically
  (a temporary file in the same folder, flushed to disk, then renamed), readable by the
  app's own user only. Include this folder in backups (README, "Running in production").
* `S3Storage` (ATTACHMENTS_STORAGE=s3): an S3-compatible object store through boto3.
  boto3 rather than minio-py: it is maintained by AWS with frequent releases and speaks to
  every S3-compatible store (MinIO, Ceph, Garage, the Dutch clouds), and the real S3 server
  the tests run (moto) needs it anyway; minio-py is smaller but follows one vendor whose open
  source line was put in maintenance in 2025.

Keys are made here (`new_key`): random, unguessable, safe as a file name. Any other key is
refused before the disk or the network is touched (no path traversal, no other objects).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,100}")


class Storage(Protocol):
    def put(self, key: str, data: bytes, media_type: str) -> None: ...

    def get(self, key: str) -> bytes:
        """The stored bytes; KeyError when there is nothing under `key`."""
        ...

    def delete(self, key: str) -> None:
        """Removes what is under `key`; nothing there is fine."""
        ...


def new_key() -> str:
    """A fresh key: 256 random bits, URL- and file-name-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def check_key(key: str) -> str:
    """`key` when it is one `new_key` could have made; ValueError otherwise."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError("not an attachment key")
    return key


class LocalStorage:
    """Files in a local folder (see the module's docstring)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _fsync_directory(path.parent)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_directory(path.parent)

    def __contains__(self, key: str) -> bool:
        return self._path(key).is_file()


def _fsync_directory(path: Path) -> None:
    """Makes a rename or removal in `path` survive a crash (not on every platform possible)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class S3Storage:
    """Objects in one bucket of an S3-compatible store, under an optional key prefix."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
        prefix: str = "",
        timeout: float = 30.0,
    ):
        import boto3
        from botocore.config import Config as BotoConfig

        if not bucket:
            raise ValueError("S3_BUCKET is required for ATTACHMENTS_STORAGE=s3")
        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            region_name=region or None,
            config=BotoConfig(
                signature_version="s3v4",
                # Path-style addressing works with every S3-compatible store, also without DNS
                # for bucket subdomains.
                s3={"addressing_style": "path"},
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 3, "mode": "standard"},
                # Many S3-compatible stores do not know the checksums newer AWS clients add.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r})"

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=media_type)

    def get(self, key: str) -> bytes:
        name = self._name(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=name)
        except self.client.exceptions.NoSuchKey:
            raise KeyError(key) from None
        with contextlib.closing(answer["Body"]) as body:
            return body.read()

    def delete(self, key: str) -> None:
        # S3 answers a removal of an absent object with success too.
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))


STORAGES = ("local", "s3")


def storage_from_config(app) -> Storage:
    """The storage ATTACHMENTS_STORAGE names: "local" (ATTACHMENTS_DIR) or "s3" (S3_*)."""
    config = app.config
    kind = (config.get("ATTACHMENTS_STORAGE") or "local").strip().lower()
    if kind == "local":
        root = Path(config.get("ATTACHMENTS_DIR") or os.path.join(app.instance_path, "bijlagen")).resolve()
        static = Path(__file__).resolve().parent / "static"
        if root == static or static in root.parents:
            raise RuntimeError("ATTACHMENTS_DIR must be outside app/static: those files are served to anyone")
        return LocalStorage(root)
    if kind == "s3":
        return S3Storage(
            bucket=config.get("S3_BUCKET") or "",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            access_key=config.get("S3_ACCESS_KEY"),
            secret_key=config.get("S3_SECRET_KEY"),
            region=config.get("S3_REGION"),
            prefix=config.get("S3_PREFIX") or "",
        )
    raise RuntimeError(f"Unknown ATTACHMENTS_STORAGE {kind!r}; use one of {', '.join(STORAGES)}")
