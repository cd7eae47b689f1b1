"""The receiver's URL secret: TimelinesAI cannot sign deliveries, so the URL itself is the credential.

Only a SHA-256 of the secret is stored (in the state store's small named values): a copy of the database does
not let anyone post to the receiver. Plain SHA-256 suffices because the secret is 256 random bits, not a
password; nothing can be guessed by trying. Rotation keeps the previous secret valid for a grace period, so
deliveries already queued at TimelinesAI for the old URL still land while the subscriptions are moved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timelines_zoho.state import StateStore

META_KEY = "webhook_receiver_secret"
GRACE = dt.timedelta(hours=1)
CACHE_SECONDS = 5.0  # a rotation takes effect on every receiver process within this long


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ReceiverSecret:
    """Check presented secrets against the stored hashes in constant time; rotate them."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._cached: tuple[float, dict] | None = None

    def rotate(self, grace: dt.timedelta = GRACE) -> str:
        """Make a new secret, keep the current one valid for `grace`, and return the new one (shown once)."""
        secret = secrets.token_urlsafe(32)
        current = self._stored(fresh=True).get("current")
        until = dt.datetime.now(dt.timezone.utc) + grace
        value = {"current": _digest(secret), "previous": current, "previous_until": until.isoformat()}
        self.store.set_meta(META_KEY, json.dumps(value))
        with self._lock:
            self._cached = None
        return secret

    def configured(self) -> bool:
        return bool(self._stored().get("current"))

    def verify(self, presented: str) -> bool:
        """Return whether `presented` is the current secret, or the previous one within its grace period."""
        stored = self._stored()
        digest = _digest(presented)
        valid = [stored.get("current")]
        until = stored.get("previous_until")
        if until and dt.datetime.fromisoformat(until) > dt.datetime.now(dt.timezone.utc):
            valid.append(stored.get("previous"))
        # compare every candidate, so the time taken does not tell which one matched
        matches = [hmac.compare_digest(digest, candidate) for candidate in valid if candidate]
        return any(matches)

    def _stored(self, fresh: bool = False) -> dict:
        with self._lock:
            if not fresh and self._cached and time.monotonic() - self._cached[0] < CACHE_SECONDS:
                return self._cached[1]
        raw = self.store.get_meta(META_KEY)
        value = json.loads(raw) if raw else {}
        with self._lock:
            self._cached = (time.monotonic(), value)
        return value
