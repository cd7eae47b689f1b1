"""Where Zoho access tokens live between tasks and processes, and the lock that serialises their refresh."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pathlib
import tempfile
from collections.abc import Iterator
from typing import Any, Protocol

TOKEN_CACHE_DIR_ENV = "TIMELINES_ZOHO_TOKEN_CACHE_DIR"


class UnencryptedCacheError(RuntimeError):
    """Airflow has no Fernet key, so a token written to disk would be readable by anyone who can read the file."""


class TokenCache(Protocol):
    """Shared storage for token entries, plus an exclusive lock per key held while refreshing."""

    def read(self, key: str) -> dict[str, Any] | None:
        """Return the entry stored under `key`, or None."""

    def write(self, key: str, entry: dict[str, Any]) -> None:
        """Store `entry` under `key`, replacing what was there."""

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Hold the exclusive refresh lock for `key` across threads and processes."""


def cache_key(*parts: str) -> str:
    """Derive a file-safe key that reveals none of its (secret) parts."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def default_cache_dir() -> pathlib.Path:
    """`$TIMELINES_ZOHO_TOKEN_CACHE_DIR`, else `$AIRFLOW_HOME/token-cache`."""
    configured = os.environ.get(TOKEN_CACHE_DIR_ENV)
    if configured:
        return pathlib.Path(configured)
    return pathlib.Path(os.environ.get("AIRFLOW_HOME", pathlib.Path.home() / "airflow")) / "token-cache"


class FileTokenCache:
    """Entries encrypted with Airflow's Fernet key, one file per key; `fcntl.flock` on a side file locks it."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, fernet: Any = None) -> None:
        self.directory = pathlib.Path(directory) if directory else default_cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fernet = fernet

    @property
    def fernet(self) -> Any:
        if self._fernet is None:
            from airflow.models.crypto import get_fernet

            fernet = get_fernet()
            if not getattr(fernet, "is_encrypted", True):  # Airflow's stand-in when no key is set
                raise UnencryptedCacheError(
                    "refusing to cache Zoho access tokens unencrypted: set Airflow's Fernet key ([core] fernet_key, "
                    "AIRFLOW__CORE__FERNET_KEY), which also encrypts the connections")
            self._fernet = fernet
        return self._fernet

    def read(self, key: str) -> dict[str, Any] | None:
        """Decrypt and return the entry, or None when absent or unreadable (e.g. after a Fernet key rotation)."""
        try:
            blob = (self.directory / f"{key}.token").read_bytes()
            return json.loads(self.fernet.decrypt(blob))
        except FileNotFoundError:
            return None
        except Exception:  # a corrupt entry, or one written under another Fernet key, is a cache miss
            return None

    def write(self, key: str, entry: dict[str, Any]) -> None:
        """Encrypt and replace atomically, so a reader never sees half an entry."""
        blob = self.fernet.encrypt(json.dumps(entry).encode())
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{key}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, self.directory / f"{key}.token")
        except BaseException:
            pathlib.Path(tmp).unlink(missing_ok=True)
            raise

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Block until this thread or process holds the key's lock (each call opens its own file description)."""
        fd = os.open(self.directory / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
