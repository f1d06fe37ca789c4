"""Where uploaded files live: a local folder, or an S3-compatible bucket shared by several machines.

Callers never choose storage names: they ask `new_key` for a random one and keep it in the database
together with the original file name and content type. Every backend refuses keys that do not look like
generated names, so a key can never reach outside the folder or bucket prefix.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

__all__ = ["LocalStorage", "S3Storage", "Storage", "new_key", "storage_from_config", "validate_key"]

# A generated name: 8-128 URL-safe characters, optionally one short lower-case extension. No dots, slashes
# or backslashes in the name part, so "..", "a/b" and absolute paths cannot be expressed at all.
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,128}(?:\.[a-z0-9]{1,8})?")
_EXTENSION_RE = re.compile(r"[a-z0-9]{1,8}")

# Prefix for half-written files in LocalStorage; a key cannot start with "." so they never collide.
_TEMP_PREFIX = ".tmp-"


def validate_key(key: Any) -> str:
    """Return `key` unchanged if it is a well-formed storage key; raise ValueError otherwise."""
    # fullmatch, not match with `$`: `$` also matches before a trailing newline.
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def new_key(extension: str = "") -> str:
    """Return a new random storage key (192 bits of randomness) ending in `.extension` if one is given.

    The extension may be given with or without the leading dot and in any case; it is stored in lower
    case and must be 1-8 letters or digits, otherwise ValueError is raised.
    """
    extension = extension.strip().lstrip(".").lower()
    if extension and not _EXTENSION_RE.fullmatch(extension):
        raise ValueError(f"invalid file extension: {extension!r}")
    key = secrets.token_urlsafe(24)
    return validate_key(f"{key}.{extension}" if extension else key)


@runtime_checkable
class Storage(Protocol):
    """What the application needs from a file store. Keys must pass `validate_key`."""

    def save(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        """Store `data` (bytes or a readable binary file) under `key`, replacing any earlier file."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Return a readable binary file for `key`; the caller closes it. FileNotFoundError if missing."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file stored under `key`; deleting a missing key is not an error."""
        ...


class LocalStorage:
    """Files in one folder on the local disk (or a shared network mount), one file per key.

    The content type is not kept: store it next to the key in the database.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def save(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        """Store `data` under `key` atomically: readers see the old file or the new one, never a part."""
        target = self._path(key)
        temp = self.root / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        # os.open with mode 0o666 lets the umask decide permissions, as for any other file the app writes
        # (tempfile would force 0o600, which breaks a web server serving the folder directly).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out)
                out.flush()
                # Make the content durable before the rename publishes it.
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3 bucket (AWS, MinIO, or any S3-compatible service), one object per key.

    `prefix` is put verbatim in front of every key: use e.g. "uploads/" to keep them in a folder.
    Credentials left as None are found by boto3 in the usual way (environment, instance role, ...).
    `client` is an already configured boto3 S3 client to use instead of building one from the arguments.
    """

    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, prefix: str = "",
                 client: Any = None) -> None:
        if not bucket:
            raise ValueError("S3Storage needs a bucket name")
        self.bucket = bucket
        self.prefix = prefix or ""
        if client is None:
            # Imported here so installations using local storage do not pay for importing boto3.
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                  aws_access_key_id=access_key or None,
                                  aws_secret_access_key=secret_key or None)
        self.client = client

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _object_key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def save(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        """Store `data` under `key` with `content_type`; S3 replaces objects atomically."""
        object_key = self._object_key(key)
        extra = {"ContentType": content_type or "application/octet-stream"}
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = io.BytesIO(bytes(data))
        # upload_fileobj switches to multipart uploads for large files and needs no seekable stream.
        self.client.upload_fileobj(data, self.bucket, object_key, ExtraArgs=extra)

    def open(self, key: str) -> BinaryIO:
        object_key = self._object_key(key)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=object_key)
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(f"no stored file {key!r}") from None
        return response["Body"]

    def delete(self, key: str) -> None:
        # Deleting a missing object succeeds in S3, which matches LocalStorage.delete.
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))


def _setting(config: Mapping[str, Any], name: str) -> str | None:
    """Return a string setting, treating a missing or blank value (an unset env variable) as None."""
    value = config.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """Return the storage chosen by the application config.

    UPLOAD_STORAGE is "local" (the default) or "s3". Local storage uses UPLOAD_FOLDER. S3 storage uses
    S3_BUCKET (required), S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_PREFIX.
    Raises ValueError for an unknown backend or a missing required setting.
    """
    backend = (_setting(config, "UPLOAD_STORAGE") or "local").lower()
    if backend == "local":
        folder = _setting(config, "UPLOAD_FOLDER")
        if folder is None:
            raise ValueError("UPLOAD_STORAGE=local needs UPLOAD_FOLDER")
        return LocalStorage(folder)
    if backend == "s3":
        bucket = _setting(config, "S3_BUCKET")
        if bucket is None:
            raise ValueError("UPLOAD_STORAGE=s3 needs S3_BUCKET")
        return S3Storage(
            bucket,
            endpoint_url=_setting(config, "S3_ENDPOINT_URL"),
            region=_setting(config, "S3_REGION"),
            access_key=_setting(config, "S3_ACCESS_KEY_ID"),
            secret_key=_setting(config, "S3_SECRET_ACCESS_KEY"),
            # Not stripped like the others: a prefix is used verbatim.
            prefix=str(config.get("S3_PREFIX") or ""),
        )
    raise ValueError(f"unknown UPLOAD_STORAGE {backend!r}; use 'local' or 's3'")
