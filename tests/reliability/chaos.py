"""The seeded chaos campaign: daily runs over the workload's days with faults of every kind at random points and
people editing Zoho between runs, then the same days without faults, and the two final Zoho states compared.

A fault kind is one entry of FAULT_KINDS (arm it on the emulators for one run) and a person's edit one entry of
PERSON_KINDS (applied between runs, identically in the faulty and the fault-free replay). SIGKILL is the one kind
that changes how the run is started (a child process that kills itself; Airflow then retries the task).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reliability_harness as harness

# A small workload so 30 seeds (each one faulty schedule and its fault-free replay) fit in about ten minutes here.
CHAOS_DATA: dict[str, Any] = {"chats": 20, "messages": 260, "zoho_contacts": 12}
READ_TIMEOUT = 2.0  # the client's read timeout in the campaign; a "timeout" fault holds the answer longer
WRITE_PATHS = (r"/crm/v8/Contacts$", r"/crm/v8/Notes$", r"/Notes/\d+/Attachments$")
READ_PATHS = {"zoho": (r"/crm/v8/Contacts$", r"/crm/v8/users$", r"/crm/v8/settings/", r"/Notes$", r"/Attachments$"),
              "timelines": (r"/chats$", r"/messages$", r"/whatsapp_accounts$")}


@dataclass(frozen=True)
class FaultKind:
    """One kind of fault: `arm` switches it on for the next run and says what it did."""

    name: str
    arm: Callable[[harness.Wired, random.Random], str]


def _zoho_rate(knob: str) -> Callable[[harness.Wired, random.Random], str]:
    def arm(wired: harness.Wired, rng: random.Random) -> str:
        rate = rng.choice((0.03, 0.08, 0.15))
        wired.zoho.faults(**{knob: rate, "seed": rng.randint(1, 10**6)})
        return f"{knob}={rate}"
    return arm


def _tamper(name: str, vendor: str, paths: tuple[str, ...], modes: tuple[str, ...], method: str,
            counts: tuple[int, ...], skip: int = 1) -> FaultKind:
    """A tamper rule on one of `paths`, letting up to `skip` matching calls through first (a day's run makes one
    contacts batch and one notes batch on this workload, and a few pages of each read)."""
    def arm(wired: harness.Wired, rng: random.Random) -> str:
        rule = {"path": rng.choice(paths), "method": method, "mode": rng.choice(modes), "kind": name,
                "after": rng.randint(0, skip), "count": rng.choice(counts), "delay": READ_TIMEOUT + 1.5}
        target = wired.zoho if vendor == "zoho" else wired.timelines
        rules = target.faults()["tamper"] if vendor == "zoho" else target.stats()["faults"]["tamper"]
        target.tamper(*rules, rule)
        return f"{vendor} {method} {rule['path']} {rule['mode']} after {rule['after']} x{rule['count']}"
    return FaultKind(name, arm)


def _latency(wired: harness.Wired, rng: random.Random) -> str:
    ms = rng.choice((50, 150, 300))
    wired.zoho.faults(latency_ms=ms)
    wired.timelines.faults(latency_ms=ms)
    return f"latency {ms} ms"


def _timelines_throttle(wired: harness.Wired, rng: random.Random) -> str:
    wired.timelines.faults(rate_limit_per_second=rng.choice((20, 40)), burst=5, throttle_status=rng.choice((429, 403)))
    return "TimelinesAI throttle"


def _token_expiry(wired: harness.Wired, rng: random.Random) -> str:
    delay = rng.uniform(0.1, 1.5)
    timer = threading.Timer(delay, wired.zoho.expire_tokens)
    timer.daemon = True
    timer.start()
    return f"access tokens expire after {delay:.1f} s"


def _refused_downloads(wired: harness.Wired, rng: random.Random) -> str:
    files = rng.randint(1, 3)
    wired.timelines.faults(refused_downloads_next=files)
    return f"the download host refuses the next {files} file links"


def _sigkill(wired: harness.Wired, rng: random.Random) -> str:
    return "SIGKILL"  # the campaign starts this run in a child that kills itself (see run_day)


FAULT_KINDS: tuple[FaultKind, ...] = (
    FaultKind("zoho 5xx", _zoho_rate("error_rate")),
    FaultKind("zoho 429", _zoho_rate("rate_limit_rate")),
    FaultKind("zoho reset before handling", _zoho_rate("reset_rate")),
    FaultKind("token expiry", _token_expiry),
    FaultKind("latency", _latency),
    FaultKind("TimelinesAI throttle", _timelines_throttle),
    _tamper("applied, connection reset", "zoho", WRITE_PATHS, ("reset",), "POST", (1, 2)),
    _tamper("applied, read timeout", "zoho", WRITE_PATHS, ("timeout",), "POST", (1,)),
    _tamper("garbled 200 on a write", "zoho", WRITE_PATHS, ("html", "truncated"), "POST", (1, 2)),
    _tamper("garbled 200 on a Zoho read", "zoho", READ_PATHS["zoho"], ("html", "truncated"), "GET", (1, 1, 2, 99)),
    _tamper("garbled 200 on a COQL page", "zoho", (r"/crm/v8/coql$",), ("html", "truncated"), "POST", (1, 99), 0),
    _tamper("garbled 200 on a TimelinesAI page", "timelines", READ_PATHS["timelines"], ("html", "truncated"),
            "GET", (1, 2, 99), 3),
    FaultKind("download host refuses connections", _refused_downloads),
    FaultKind("SIGKILL", _sigkill),
)


def fired(wired: harness.Wired) -> Counter:
    """How many answers each tamper kind actually spoiled in the run that just ended."""
    rules = wired.zoho.faults()["tamper"] + wired.timelines.stats()["faults"]["tamper"]
    return Counter({rule["kind"]: rule.get("fired", 0) for rule in rules if rule.get("fired")})


def disarm(wired: harness.Wired) -> None:
    """Switch every fault off (between runs)."""
    wired.zoho.faults(error_rate=0.0, rate_limit_rate=0.0, reset_rate=0.0, latency_ms=0, tamper=[])
    wired.timelines.faults(rate_limit_per_second=None, latency_ms=0, tamper=[], refused_downloads_next=0)


# -- people editing Zoho between runs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """A person's edit, named by what it targets so the fault-free replay makes the same one."""

    kind: str
    chat_id: str
    title: str = ""


def settled_targets(wired: harness.Wired) -> dict[tuple[str, str], tuple[str, str]]:
    """(chat, note title) → (record id, note id) of the notes written and settled (nothing pending for the chat),
    whose record and note are still in Zoho."""
    from timelines_zoho.state import StateStore

    with harness.applied(wired.env):
        store = StateStore()
        pending = {e.chat_id for e in store.pending_notes()} | {q.chat_id for q in store.quarantined()}
        entries = [e for chat in _linked_chats(store) for e in store.notes_of_chats([chat])]
        store.dispose()
    records = wired.zoho.state()["records"]
    present = {r["id"] for module in ("Contacts", "Notes") for r in records.get(module, [])}
    return {(e.chat_id, e.title): (e.record_id, str(e.note_id)) for e in entries
            if e.status == "done" and e.note_id and e.chat_id not in pending
            and {e.record_id, str(e.note_id)} <= present}  # not already deleted by an earlier edit


def _linked_chats(store: Any) -> list[str]:
    from timelines_zoho.state.models import ChatLinkRow

    with store.session() as session:
        return sorted(row.chat_id for row in session.query(ChatLinkRow))


def pick_edit(pair: tuple[harness.Wired, harness.Wired], rng: random.Random) -> Edit | None:
    """Choose a person's edit on a note both schedules have settled, so each makes the same one."""
    common = sorted(set(settled_targets(pair[0])) & set(settled_targets(pair[1])))
    if not common:
        return None
    chat_id, title = rng.choice(common)
    return Edit(rng.choice(PERSON_KINDS), chat_id, title)


def apply_edit(wired: harness.Wired, edit: Edit, day_ts: int) -> None:
    """Make the edit in Zoho (and send the chat's next message that day, which makes the sync notice it)."""
    record_id, note_id = settled_targets(wired)[(edit.chat_id, edit.title)]
    if edit.kind == "person deletes a note":
        wired.zoho.delete_record("Notes", note_id)
        wired.timelines.add_messages(int(edit.chat_id), [{"text": "Any news?", "ts": day_ts}])
    elif edit.kind == "person deletes a record":
        wired.zoho.delete_record("Contacts", record_id)
        wired.timelines.add_messages(int(edit.chat_id), [{"text": "Hello again", "ts": day_ts}])
    else:
        wired.zoho.edit_record("Contacts", record_id, Last_Name="Renamed By Sales")


PERSON_KINDS = ("person deletes a note", "person deletes a record", "person edits a name")


# -- one seed ----------------------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    """What one seed did and how it ended."""

    seed: int
    faults: Counter = field(default_factory=Counter)  # armed, per kind
    spoiled: Counter = field(default_factory=Counter)  # answers the tamper kinds really spoiled
    killed: int = 0
    edits: list[str] = field(default_factory=list)
    failed_runs: int = 0
    extra_runs: int = 0
    details: list[str] = field(default_factory=list)


def days() -> list[datetime]:
    first = harness.END - timedelta(days=harness.W0["days"] - 1)
    return [datetime.combine(first + timedelta(days=n), datetime.min.time(), tzinfo=ZoneInfo(harness.TZ))
            for n in range(harness.W0["days"])]


def day_params(day: datetime) -> dict[str, str]:
    return {"window_start": day.isoformat(), "window_end": (day + timedelta(days=1)).isoformat()}


def plan(seed: int) -> list[dict[str, Any]]:
    """Draw, per day, the faults of its run and the person's edit after it."""
    rng = random.Random(seed)
    out = []
    for _ in days():
        kinds = rng.sample(FAULT_KINDS, k=rng.choice((1, 2, 3)))
        out.append({"kinds": kinds, "edit": rng.random() < 0.5, "rng": random.Random(rng.getrandbits(32))})
    return out


def run_day(wired: harness.Wired, key: str, params: dict[str, str], sigkill: bool, rng: random.Random,
            killed: list[int] | None = None) -> bool:
    """One scheduled run; True when it ended well. A killed or failed task is retried once, as Airflow would."""
    killed = [] if killed is None else killed
    for attempt in (1, 2):
        try:
            if sigkill and attempt == 1:
                child = harness.sync_in_child(wired, key, kill_after=rng.randint(1, 6),
                                              when=rng.choice(("before", "after")), params=params)
                if child.returncode == 0:
                    return True
                killed.append(child.returncode)
                continue
            harness.sync(wired, key, params)
            return True
        except Exception:  # noqa: BLE001 - a failed task; the retry or a later run picks it up
            if attempt == 2:
                return False
    return False


def run_seed(faulty_pair: Any, clean_pair: Any, folder: Any, seed: int) -> SeedResult:
    """Run one seed's days with faults beside the same days without, with the same edits; compare the end states."""
    from timelines_zoho.hooks.transport import READ_TIMEOUT_ENV

    result = SeedResult(seed)
    faulty = harness.wire(*faulty_pair, folder / "faulty", **CHAOS_DATA)
    clean = harness.wire(*clean_pair, folder / "clean", **CHAOS_DATA)
    faulty.env[READ_TIMEOUT_ENV] = str(READ_TIMEOUT)
    for n, (day, drawn) in enumerate(zip(days(), plan(seed), strict=True)):
        rng = drawn["rng"]
        harness.sync(clean, f"clean-{seed}-{n}", day_params(day))
        for kind in drawn["kinds"]:
            result.faults[kind.name] += 1
            result.details.append(f"day {n + 1}: {kind.arm(faulty, rng)}")
        sigkill = any(k.name == "SIGKILL" for k in drawn["kinds"])
        killed: list[int] = []
        result.failed_runs += not run_day(faulty, f"chaos-{seed}-{n}", day_params(day), sigkill, rng, killed)
        result.killed += len(killed)
        result.spoiled += fired(faulty)
        disarm(faulty)
        edit = pick_edit((faulty, clean), rng) if drawn["edit"] else None
        if edit is not None:
            for wired in (faulty, clean):
                apply_edit(wired, edit, int((day + timedelta(hours=12)).timestamp()))
            result.faults[edit.kind] += 1
            result.edits.append(f"after day {n + 1}: {edit.kind} (chat {edit.chat_id})")
    harness.sync(clean, f"clean-{seed}-catch-up")
    # A deletion noticed by the catch-up is finished by the next scheduled run, with or without faults.
    for n in range(3):
        before = harness.normalise(clean.zoho.state())
        harness.sync(clean, f"clean-{seed}-later-{n}")
        if harness.normalise(clean.zoho.state()) == before:
            break
    run_day(faulty, f"chaos-{seed}-catch-up", harness.window_params(), False, random.Random(seed))
    want = {"dump": harness.normalise(clean.zoho.state())}
    result.extra_runs = harness.converge(faulty, want, f"chaos-{seed}")
    dump = faulty.zoho.state()
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}, result
    lost = set(harness.lost_messages(faulty, dump, harness.expected_notes(faulty)))
    assert lost == set(harness.lost_messages(clean, clean.zoho.state(), harness.expected_notes(clean))), result
    return result
