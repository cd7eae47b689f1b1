"""The reliability harness: wire a private integration to the emulators, run syncs in this process or in a child
process that kills itself, and compare Zoho's final state with the invariants the product promises."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

HERE = Path(__file__).resolve().parent
TZ = "Europe/Warsaw"
END = date(2026, 3, 31)
# W0, the small workload: every hand-made quirk plus a few dozen generated chats, over four days.
W0: dict[str, Any] = {"chats": 40, "messages": 700, "days": 4, "end": END, "timezone": TZ, "zoho_contacts": 30}
ZOHO_ID = re.compile(r"\b\d{19}\b")
FIGURES_ENV = "TIMELINES_ZOHO_RELIABILITY_FIGURES"


@dataclass
class Wired:
    """One seeded, activated integration: its emulators, its environment and its private folder."""

    timelines: TimelinesAISandboxAdmin
    zoho: ZohoSandboxAdmin
    env: dict[str, str]
    folder: Path

    @property
    def state_db(self) -> Path:
        return self.folder / "state.db"


@contextlib.contextmanager
def applied(env: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore them."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def wire(timelines: TimelinesAISandboxAdmin, zoho: ZohoSandboxAdmin, folder: Path, **seed: Any) -> Wired:
    """Seed both emulators with W0 (or the given knobs), point a fresh state store at them and activate."""
    from timelines_zoho.state import StateStore
    from timelines_zoho_sandbox import sandbox_wiring

    folder.mkdir(parents=True, exist_ok=True)
    sandbox_wiring.seed(timelines, zoho, **(W0 | seed))
    env = sandbox_wiring.connection_uris(timelines, zoho) | {
        "TIMELINES_ZOHO_STATE_URL": f"sqlite:///{folder / 'state.db'}",
        "TIMELINES_ZOHO_STAGING_DIR": str(folder / "staging"),
        "TIMELINES_ZOHO_TOKEN_CACHE_DIR": str(folder / "tokens"),
    }
    with applied(env):
        store = StateStore()
        store.migrate()
        sandbox_wiring.activate(store)
        store.dispose()
    return Wired(timelines, zoho, env, folder)


def window_params(first: date = END - timedelta(days=W0["days"] - 1), last: date = END) -> dict[str, str]:
    """Return trigger params for whole local days `first`..`last`."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=ZoneInfo(TZ))
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(TZ))
    return {"window_start": start.isoformat(), "window_end": end.isoformat()}


def sync(wired: Wired, run_key: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run every step of one sync in this process and return its summary."""
    from timelines_zoho.sync import runner

    with applied(wired.env):
        return runner.run_inline(run_key, params or window_params())


def sync_in_child(wired: Wired, run_key: str, *, kill_after: int = 0, when: str = "after",
                  count_only: bool = False, params: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run one sync in a child process that SIGKILLs itself at its `kill_after`-th Zoho call during load."""
    env = os.environ | wired.env | {"PYTHONUNBUFFERED": "1"}
    args = [sys.executable, str(HERE / "crash_child.py"), run_key, json.dumps(params or window_params()),
            wired.zoho.root_url, str(kill_after), when, "count" if count_only else "run"]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)


def age_claims(wired: Wired, minutes: int = 11) -> int:
    """Let time pass for contact, note and file claims (their lease is 10 minutes), as before the next scheduled run."""
    with contextlib.closing(sqlite3.connect(wired.state_db)) as db, db:
        cursor = db.execute(
            "UPDATE tz_contact_claims SET claimed_at = datetime(claimed_at, ?) WHERE record_id IS NULL",
            (f"-{minutes} minutes",),
        )
        writes = db.execute("UPDATE tz_write_claims SET claimed_at = datetime(claimed_at, ?)", (f"-{minutes} minutes",))
        return cursor.rowcount + writes.rowcount


# -- comparing Zoho states -------------------------------------------------------------------------------


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def normalise(dump: dict[str, Any]) -> dict[str, Any]:
    """Replace Zoho's ids by labels built from content, and sort, so two runs' dumps compare equal."""
    labels: dict[str, str] = {u["id"]: f"user:{u['email']}" for u in dump["users"]}

    def relabel(value: Any) -> Any:
        return json.loads(ZOHO_ID.sub(lambda m: labels.get(m.group(0), "?"), json.dumps(value, ensure_ascii=False)))

    records = dump["records"]
    for module, rows in records.items():
        if module != "Notes":
            for row in rows:
                labels[row["id"]] = f"{module}:{_digest(relabel({k: v for k, v in row.items() if k != 'id'}))}"
    for note in records.get("Notes", []):
        # A note lists its files with a random `$file_id`: the attachments themselves are compared below. Their
        # order follows the upload order (ids), which a rerun after a crash may change: sort without the id.
        note["$attachments"] = sorted(({k: v for k, v in a.items() if k != "$file_id"}
                                       for a in note.get("$attachments") or []),
                                      key=lambda a: _digest({k: v for k, v in a.items() if k != "id"}))
        # The emulator stores the parent's name as it was when the note was last written; Zoho shows the record's
        # current name there (a lookup). A person's rename would make two equal syncs differ only by timing.
        note["Parent_Id"].pop("name", None)
        parent = labels.get(note["Parent_Id"]["id"], "?")
        labels[note["id"]] = f"note:{parent}:{note.get('Note_Title')}"
    out = relabel({k: v for k, v in dump.items() if k != "records"})
    out["records"] = {m: sorted(relabel(rows), key=_digest) for m, rows in records.items()}
    out["attachments"] = sorted(out["attachments"], key=_digest)
    return out


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """List the records and attachments present in one normalised dump and not the other, for a readable failure."""
    out = []
    for module in sorted(set(got["records"]) | set(want["records"])):
        mine, theirs = got["records"].get(module, []), want["records"].get(module, [])
        out += [f"extra {module}: {json.dumps(r, ensure_ascii=False)[:300]}" for r in mine if r not in theirs]
        out += [f"missing {module}: {json.dumps(r, ensure_ascii=False)[:300]}" for r in theirs if r not in mine]
    out += [f"extra attachment: {a}" for a in got["attachments"] if a not in want["attachments"]]
    out += [f"missing attachment: {a}" for a in want["attachments"] if a not in got["attachments"]]
    if not out and got != want:
        out.append("dumps differ outside records and attachments")
    return out


def duplicates(dump: dict[str, Any]) -> dict[str, int]:
    """Count duplicated contacts (ours, by phone digits), notes (by record and title) and attachments."""
    contacts = Counter(
        re.sub(r"\D", "", str(r.get("Mobile") or r.get("Phone") or ""))
        for r in dump["records"].get("Contacts", []) if r.get("Lead_Source") == "TimelinesAI"
    )
    # Two chats of one person (two WhatsApp accounts) legitimately give two notes with one title: content differs.
    notes = Counter((n["Parent_Id"]["id"], n.get("Note_Title"), n.get("Note_Content"))
                    for n in dump["records"].get("Notes", []))
    files = Counter((a["parent_id"], a.get("File_Name"), a["sha256"]) for a in dump["attachments"])
    return {name: sum(n - 1 for n in counter.values() if n > 1)
            for name, counter in (("contacts", contacts), ("notes", notes), ("attachments", files))}


def expected_notes(wired: Wired) -> dict[str, tuple[str, str, str, str, int, int]]:
    """Return, for every message uid the transform puts in a bundle, its (chat, title, content, day, part, parts)
    from scratch; the title is the transform's, before load puts the record's name in Zoho in it."""
    import pandas as pd

    from timelines_zoho.hooks.timelinesai import TimelinesAIHook
    from timelines_zoho.transform.contacts import build_contacts
    from timelines_zoho.transform.notes import build_note_bundles

    with applied(wired.env):
        hook = TimelinesAIHook()
        chats = list(hook.iter_chats())
        accounts = list(hook.iter_whatsapp_accounts())
        messages = [m for c in chats for m in hook.iter_messages(c["id"]) if _in_window(m.get("timestamp"))]
    # As extract does: only chats with a message in the window take part.
    chats = [c for c in chats if str(c["id"]) in {str(m.get("chat_id")) for m in messages}]
    frames = [_as_staged(pd.DataFrame.from_records(rows), wired.folder / f"expected_{n}.json")
              for n, rows in enumerate((chats, accounts, messages))]
    contacts, _ = build_contacts(frames[0], frames[1])
    bundles, _ = build_note_bundles(frames[2], contacts, timezone=TZ)
    return {uid: (str(b.chat_id), b.title, b.content, b.day, int(b.part), int(b.parts))
            for b in bundles.itertuples() for uid in b.message_uids}


def _in_window(stamp: Any) -> bool:
    from timelines_zoho.sync.extract import parse_timestamp

    params = window_params()
    instant = parse_timestamp(stamp)
    return instant is not None and (datetime.fromisoformat(params["window_start"]) <= instant
                                    < datetime.fromisoformat(params["window_end"]))


def _as_staged(frame: Any, path: Path) -> Any:
    """Pass a frame through staging, as the pipeline does between its steps."""
    from timelines_zoho.sync import staging

    return staging.read_frame(staging.write_frame(path, frame))


def lost_messages(wired: Wired, dump: dict[str, Any],
                  expected: dict[str, tuple[str, str, str, str, int, int]]) -> list[str]:
    """Return uids of linked chats that are not in exactly one Zoho note with the right title and transcript."""
    from timelines_zoho.state import StateStore
    from timelines_zoho.sync.naming import note_title

    with applied(wired.env):
        store = StateStore()
        links = store.links(sorted({chat for chat, *_ in expected.values()}))
        store.dispose()
    notes: dict[tuple[str, str], list[str]] = {}
    for note in dump["records"].get("Notes", []):
        notes.setdefault((note["Parent_Id"]["id"], note.get("Note_Title")), []).append(note.get("Note_Content") or "")
    # A person's name in Zoho, as titles carry it: First_Name + Last_Name (Zoho's Full_Name).
    names = {r["id"]: r.get("Full_Name") or r.get("Last_Name") for r in dump["records"].get("Contacts", [])}
    lost = []
    for uid, (chat, title, content, day, part, parts) in expected.items():
        link = links.get(chat)
        if link is None:
            continue
        found = notes.get((link.record_id, note_title(title, names.get(link.record_id), day, part, parts)), [])
        if len(found) != 1 or not found[0].startswith(content):
            lost.append(uid)
    return lost


def record_figures(section: str, **figures: Any) -> None:
    """Add figures for the report command to the file named by TIMELINES_ZOHO_RELIABILITY_FIGURES, if set."""
    target = os.environ.get(FIGURES_ENV)
    if not target:
        return
    path = Path(target)
    current = json.loads(path.read_text()) if path.exists() else {}
    current.setdefault(section, {}).update(figures)
    path.write_text(json.dumps(current, indent=1, default=str))


def converge(wired: Wired, baseline: dict[str, Any], run_key: str, max_runs: int = 6) -> int:
    """Run later syncs (claims aged between them, as between scheduled runs) until Zoho holds the fault-free
    state; return how many were needed. Raise AssertionError with the differences when it never gets there."""
    found: list[str] = []
    for extra in range(max_runs + 1):
        dump = wired.zoho.state()
        found = differences(normalise(dump), baseline["dump"])
        if not found:
            return extra
        if extra < max_runs:
            age_claims(wired)
            wired.timelines.expire_urls()
            sync(wired, f"{run_key}-again-{extra + 1}")
    raise AssertionError(f"not converged after {max_runs} more runs: {found[:4]}")
