"""The emulator's mutable state: the workspace, its settings and faults, counters, and the optional state file.

A state file holds the recipe (generator params) plus the admin mutations, never the messages themselves:
replaying them rebuilds the same workspace, so saving is cheap at any size.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields

from timelines_zoho_sandbox.tamper import check_rules
from timelines_zoho_sandbox.timelinesai import content
from timelines_zoho_sandbox.timelinesai.clock import SandboxClock
from timelines_zoho_sandbox.timelinesai.deliveries import Dispatcher
from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams, generate
from timelines_zoho_sandbox.timelinesai.model import MT_NOTE, Workspace
from timelines_zoho_sandbox.timelinesai.timeline import TimelineMixin
from timelines_zoho_sandbox.timelinesai.webhooks import WebhookRegistry

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """Behaviour knobs that are not faults."""

    chat_url_mode: str = "relative"  # what LIVE returned; "absolute" is the SPEC example's form
    url_ttl_seconds: int = 900
    api_calls_quota_total: int = 200_000
    webhook_limit: int = 10
    webhook_timeout_seconds: float = 5.0
    webhook_retry_delay_seconds: float = 1.0  # ASSUMPTION: the vendor documents the retries, not their spacing


@dataclass
class Faults:
    """Injected misbehaviour; all off by default."""

    rate_limit_per_second: float | None = None
    burst: int = 10
    throttle_status: int = 429  # 403 reproduces the observed "403 as a throttle" with no Retry-After
    plain_text_401: bool = False
    latency_ms: int = 0
    # A download host that refuses connections: these files' URLs point at a closed port (files.py).
    refused_download_uids: list[str] = field(default_factory=list)
    refused_download_chats: list[int] = field(default_factory=list)
    refused_downloads_next: int = 0  # the next N file URLs handed out, whichever files they are
    webhook_duplicate_share: float = 0.0  # deliveries sent twice (§9.2: duplicates are possible)
    webhook_reorder_ms: int = 0  # each delivery held back up to this long, so deliveries overtake each other
    tamper: list = field(default_factory=list)  # answers spoiled after the call was handled (sandbox/tamper.py)


@dataclass
class TokenBucket:
    """A token bucket: `rate` tokens per second, at most `burst` saved up."""

    rate: float
    burst: int
    tokens: float = field(init=False)
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def take(self) -> float:
        """Take one token; return 0 on success, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def _pick(cls: type, values: dict) -> dict:
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
    return values


class EmulatorState(TimelineMixin):
    """Everything one emulator instance knows; admin operations go through here."""

    def __init__(self, base_url: str, state_file: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.state_file = state_file
        self.lock = threading.Lock()
        self.params = WorkspaceParams()
        self.mutations: list[dict] = []
        self.settings, self.faults = Settings(), Faults()
        self.quota_used = 0
        self.url_generation = 0
        self.calls: Counter[str] = Counter()
        self.bucket: TokenBucket | None = None
        self.clock = SandboxClock()
        self.webhooks = WebhookRegistry()
        self.next_change: int | None = None
        if state_file and os.path.exists(state_file):
            self._load(state_file)
        else:
            self.workspace = generate(self.params)
        self.dispatcher = Dispatcher(self)
        self._observe(announce=False)
        if self.webhooks.live():
            self.dispatcher.wake()

    # --- persistence -------------------------------------------------------------------------------
    def _load(self, path: str) -> None:
        with open(path, encoding="utf-8") as fh:
            saved = json.load(fh)
        self.params = WorkspaceParams(**saved["params"])
        self.settings = Settings(**saved["settings"])
        self.faults = Faults(**saved["faults"])
        self.quota_used, self.url_generation = saved["quota_used"], saved["url_generation"]
        self.clock = SandboxClock(**saved.get("clock", {}))
        self.webhooks = WebhookRegistry(saved.get("webhooks"))
        self.workspace = generate(self.params)
        for mutation in saved["mutations"]:
            self._apply(mutation)
        self.mutations = saved["mutations"]
        self._arm_limiter()
        log.info("loaded TimelinesAI sandbox state with %d mutations", len(self.mutations))

    def save(self) -> None:
        """Write the recipe, mutations and counters atomically, when a state file was asked for."""
        if not self.state_file:
            return
        saved = {
            "params": self.params.to_dict(),
            "mutations": self.mutations,
            "settings": asdict(self.settings),
            "faults": asdict(self.faults),
            "quota_used": self.quota_used,
            "url_generation": self.url_generation,
            "clock": {"offset": self.clock.offset, "frozen_at": self.clock.frozen_at},
            "webhooks": self.webhooks.saved(),
        }
        folder = os.path.dirname(os.path.abspath(self.state_file))
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, encoding="utf-8") as fh:
            json.dump(saved, fh)
        os.replace(fh.name, self.state_file)

    # --- admin operations --------------------------------------------------------------------------
    def seed(self, knobs: dict) -> Workspace:
        """Replace the workspace with a freshly generated one; counters and mutations start over."""
        params = WorkspaceParams(**_pick(WorkspaceParams, knobs))
        workspace = generate(params)
        with self.lock:
            self.params, self.workspace, self.mutations = params, workspace, []
            self.quota_used, self.calls = 0, Counter()
        self._observe(announce=False)  # a new workspace's history is not news: it fires no webhook
        self.save()
        return workspace

    def reset(self) -> Workspace:
        """Go back to the default workspace, settings and faults."""
        self.settings, self.faults, self.bucket, self.url_generation = Settings(), Faults(), None, 0
        self.clock, self.webhooks.items = SandboxClock(), []
        self.dispatcher.clear()
        return self.seed({})

    def configure(self, settings: dict | None = None, faults: dict | None = None) -> None:
        """Update settings and/or faults (only the keys given)."""
        if settings:
            self.settings = Settings(**{**asdict(self.settings), **_pick(Settings, settings)})
        if faults:
            wanted = Faults(**{**asdict(self.faults), **_pick(Faults, faults)})
            wanted.tamper = check_rules(wanted.tamper)
            if wanted.throttle_status not in (403, 429):
                raise ValueError("throttle_status must be 403 or 429")
            if wanted.rate_limit_per_second is not None and wanted.rate_limit_per_second <= 0:
                raise ValueError("rate_limit_per_second must be above 0 (or null to switch it off)")
            self.faults = wanted
            self._arm_limiter()
        self.save()

    def _arm_limiter(self) -> None:
        rate = self.faults.rate_limit_per_second
        self.bucket = TokenBucket(rate, max(1, self.faults.burst)) if rate else None

    def expire_urls(self) -> None:
        """Invalidate every attachment URL handed out so far."""
        self.url_generation += 1
        self.save()

    def add_messages(self, chat_id: int, messages: list[dict]) -> list[str]:
        """Append messages to a chat (timestamp defaults to the sandbox's now) and return their uids.

        Messages stamped up to now are visible at once and fire their webhooks; later ones when the clock gets there.
        """
        self._observe()
        now = self.workspace.horizon
        resolved = [{**m, "ts": int(m.get("ts", now))} for m in messages]
        mutation = {"op": "add_messages", "chat_id": chat_id, "messages": resolved}
        with self.lock:
            uids = self._apply(mutation)
        self._announce_added(len(uids))
        self.mutations.append(mutation)
        self.save()
        return uids

    def rename_chat(self, chat_id: int, name: str) -> None:
        """Rename a chat from the sandbox's now; older inbound messages keep the name they were sent under."""
        self._observe()
        mutation = {"op": "rename", "chat_id": chat_id, "name": name, "ts": self.workspace.horizon}
        with self.lock:
            self._apply(mutation)
        self.mutations.append(mutation)
        self.save()

    def _apply(self, mutation: dict) -> list[str]:
        ws = self.workspace
        chat = ws.chat_by_id.get(mutation["chat_id"])
        if chat is None:
            raise KeyError(mutation["chat_id"])
        if mutation["op"] == "rename":
            chat.names.append((max(mutation["ts"], chat.names[-1][0]), mutation["name"]))
            ws.forget_chat(chat.index)
            return []
        rows: dict[str, list] = {name: [] for name in ws.messages.cols}
        texts, filenames = [], []
        for m in mutation["messages"]:
            note = m.get("message_type") == "note"
            attachment = m.get("attachment")
            kind = (
                content.KIND_BY_EXT.get(attachment["filename"].rsplit(".", 1)[-1].lower(), 9)
                if attachment
                else -1
            )
            from_me = bool(m.get("from_me", False)) or note
            values = {
                "chat": chat.index,
                "ts": m["ts"],
                "delay": 1,
                "from_me": from_me,
                "mtype": MT_NOTE if note else 0,
                "status": 1 if from_me else 0,
                "origin": 1 if from_me else 0,
                "text_kind": content.TEXT_PLAIN,
                "member": int(m.get("member", 0)),
                "att_kind": kind,
                "att_size": int(attachment.get("size", 1024)) if attachment else 0,
            }
            for name, value in values.items():
                rows[name].append(value)
            texts.append(m.get("text"))
            filenames.append(attachment["filename"] if attachment else None)
        indexes = ws.messages.append(rows)
        for index, text, filename in zip(indexes, texts, filenames, strict=True):
            ws.messages.text[index] = text
            if filename:
                ws.messages.filename[index] = filename
        ws.forget_chat(chat.index)
        return [content.message_uid(ws.seed, index) for index in indexes]

    # --- per-request bookkeeping -------------------------------------------------------------------
    def throttle(self) -> int:
        """Return 0 when the request may proceed, else the Retry-After seconds."""
        if self.bucket is None:
            return 0
        wait = self.bucket.take()
        return math.ceil(wait) if wait else 0

    def stats(self) -> dict:
        """Return call counts per endpoint, quota use and the workspace's size and tokens."""
        ws = self.workspace
        return {
            "calls": dict(self.calls),
            "total_calls": sum(self.calls.values()),
            "quota_used": self.quota_used,
            "quota_total": self.settings.api_calls_quota_total,
            "chats": len(ws.chats),
            "messages": len(ws.messages),
            "params": self.params.to_dict(),
            "settings": asdict(self.settings),
            "faults": asdict(self.faults),
            "clock": self.clock.to_dict(),
            "tokens": self.tokens(),
        }

    def tokens(self) -> dict:
        """Return the owner's and the Admin member's API tokens."""
        members = {t.role: t for t in self.workspace.teammates if t.token}
        return {
            "owner": members["Owner"].token,
            "admin": members["Admin"].token,
            "owner_email": members["Owner"].email,
            "admin_email": members["Admin"].email,
        }
