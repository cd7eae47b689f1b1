"""An event-driven run: sync only the chats whose inbox entries landed since the last such run.

The run reuses the sync's steps with `chat_ids` and a window from the oldest newly landed message to now, so
each chat's touched days are read whole and render the same note a scheduled run would. A mark records what
was synced: it moves only when the run succeeds, so a failed run's chats are taken by the next one. The chats
are read with an overlap before the mark: an entry stamped just before a run read the inbox may commit just
after. The overlap equals the trigger's debounce, so a run the trigger started (after that much quiet) takes
no chat twice; when it does (a manual run mid-burst) syncing a chat again writes nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from timelines_zoho.state.store import EVENT_RUN_PREFIX
from timelines_zoho.sync import runner

log = logging.getLogger(__name__)

SYNCED_MARK = "realtime_synced_through"
OVERLAP = timedelta(seconds=2)  # InboxTrigger's default debounce
FIRST_LOOKBACK = timedelta(hours=24)  # before any event-driven run, older entries are the scheduled run's
MIN_WINDOW = timedelta(minutes=5)  # chat:new events carry no message: their chats' last minutes are read


def start(run_key: str, hooks: runner.Hooks | None = None, now: datetime | None = None) -> dict[str, Any] | None:
    """Stage the chats with new inbox entries and return the run's JSON; None when there are none.

    `now` ends the window (a sandbox clock in tests); the inbox marks always use the wall clock.
    """
    store = runner.open_store()
    runner.active_settings(store)
    read_at = datetime.now(timezone.utc)  # the inbox's clock: entries are stamped when they land
    now = now or read_at
    mark = store.get_meta(SYNCED_MARK)
    since = datetime.fromisoformat(mark) - OVERLAP if mark else read_at - FIRST_LOOKBACK
    chats = store.chats_with_new_entries(since)
    if not chats:
        log.info("event-driven run %s: no chat has new inbox entries since %s", run_key, since.isoformat())
        return None
    oldest = store.oldest_message_landed_since(since) or now  # a message's own time: the window's clock
    window_start = min(oldest, now - MIN_WINDOW)
    params = {"chat_ids": chats, "window_start": window_start.isoformat(), "window_end": now.isoformat()}
    run = runner.start_and_extract(run_key, params, None, None, hooks, now)
    log.info("event-driven run %s: %d chats with new inbox entries since %s", run_key, len(chats), since.isoformat())
    return run.to_dict() | {"inbox_read_at": read_at.isoformat()}


def finish(meta: dict[str, Any]) -> None:
    """The run succeeded: the next one starts from when this one read the inbox."""
    runner.open_store().set_meta(SYNCED_MARK, meta["inbox_read_at"])


def run_inline(run_id: str, hooks: runner.Hooks | None = None, now: datetime | None = None) -> dict[str, Any] | None:
    """Run an event-driven sync in this process, in the DAG's order; return its summary (tests and benchmarks)."""
    meta = start(f"{EVENT_RUN_PREFIX}{run_id}", hooks, now)
    if meta is None:
        return None
    result = runner.run_staged(runner.RunRef.from_dict(meta), hooks)
    finish(meta)
    return result
