"""Links, creation claims, phone index, ledgers and quarantine, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from timelines_zoho.state import AttachmentEntry, ChatLink, IndexedRecord, NoteEntry, StateStore


def test_links_round_trip_and_replace(store: StateStore) -> None:
    store.save_links([ChatLink("c1", "r1", "+48601234567", "Ann", "created")])
    store.save_links([ChatLink("c1", "r1", "+48601234567", "Anna", "created"), ChatLink("c2", "r2", "+1", None, "linked")])
    links = store.links(["c1", "c2", "c3"])
    assert set(links) == {"c1", "c2"}
    assert links["c1"].written_name == "Anna" and links["c2"].how == "linked"


def test_racing_claims_on_one_phone_let_exactly_one_create(store: StateStore) -> None:
    def claim(n: int) -> str:
        return store.claim_phones(f"worker-{n}", {"+48601234567": f"chat-{n}"})["+48601234567"].status

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(claim, range(12)))
    assert statuses.count("fresh") == 1
    assert statuses.count("busy") == 11


def test_completed_claim_is_done_for_everyone_else(store: StateStore) -> None:
    assert store.claim_phones("a", {"+1555": "c1"})["+1555"].status == "fresh"
    store.complete_claims("a", {"+1555": "rec-1"})
    claim = store.claim_phones("b", {"+1555": "c2"})["+1555"]
    assert (claim.status, claim.record_id) == ("done", "rec-1")


def test_stale_claim_is_reclaimed_by_one_taker(store: StateStore) -> None:
    store.claim_phones("crashed", {"+1555": "c1"})
    assert store.claim_phones("x", {"+1555": "c1"}, lease=timedelta(seconds=-1))["+1555"].status == "reclaimed"
    assert store.claim_phones("z", {"+1555": "c1"})["+1555"].status == "busy"  # x's takeover is live


def test_released_claim_can_be_claimed_again(store: StateStore) -> None:
    store.claim_phones("a", {"+1555": "c1"})
    store.release_claims("a", ["+1555"])
    assert store.claim_phones("b", {"+1555": "c1"})["+1555"].status == "fresh"


def test_phone_index_matches_keys_and_replaces_them(store: StateStore) -> None:
    assert store.index_watermark() is None
    store.upsert_index_records(
        [IndexedRecord("r1", "Ann", "2026-03-01T10:00:00+00:00", ("+48601234567",)),
         IndexedRecord("r2", "Bob", "2026-03-01T11:00:00+00:00", ("+48601234567", "+15550001"))],
        watermark="2026-03-01T11:00:00+00:00",
    )
    assert store.match_phone_keys(["+48601234567", "+15550001", "+999"]) == {
        "+48601234567": {"r1", "r2"}, "+15550001": {"r2"},
    }
    store.upsert_index_records([IndexedRecord("r2", "Bobby", "2026-03-02T00:00:00+00:00", ("+15550002",))])
    assert store.match_phone_keys(["+48601234567", "+15550001", "+15550002"]) == {
        "+48601234567": {"r1"}, "+15550002": {"r2"},
    }
    assert store.index_records(["r2"])["r2"].name == "Bobby"
    assert store.index_watermark() == "2026-03-01T11:00:00+00:00"
    store.delete_index_records(["r1"])
    assert store.index_size() == 1 and store.match_phone_keys(["+48601234567"]) == {}


def test_note_ledger_pending_then_done(store: StateStore) -> None:
    pending = NoteEntry("c1", "2026-03-01", 1, "r1", "WhatsApp chat with Ann (01/03/2026)", None, "h1", "pending")
    store.put_notes([pending, NoteEntry("c1", "2026-03-02", 1, "r1", "t", "n2", "h2", "done")])
    assert [e.key for e in store.pending_notes()] == [("c1", "2026-03-01", 1)]
    store.put_notes([NoteEntry("c1", "2026-03-01", 1, "r1", pending.title, "n1", "h1", "done")])
    got = store.notes([("c1", "2026-03-01", 1), ("c9", "2026-03-01", 1)])
    assert list(got) == [("c1", "2026-03-01", 1)] and got[("c1", "2026-03-01", 1)].note_id == "n1"
    assert store.pending_notes() == [] and len(store.notes_of_chats(["c1"])) == 2


def test_attachment_ledger_keeps_reasons(store: StateStore) -> None:
    store.put_attachments([
        AttachmentEntry("m1", "c1", "n1", "a.pdf", None, "pending"),
        AttachmentEntry("m2", "c1", "n1", "big.mov", None, "refused", "over Zoho's 20 MB limit"),
    ])
    store.put_attachments([AttachmentEntry("m1", "c1", "n1", "a.pdf", "att-1", "done")])
    got = store.attachments(["m1", "m2"])
    assert got["m1"].attachment_id == "att-1" and got["m2"].reason == "over Zoho's 20 MB limit"


def test_quarantine_counts_attempts_and_releases(store: StateStore) -> None:
    store.quarantine([("chat", "c1", "c1", "Zoho refused: MANDATORY_NOT_FOUND")])
    store.quarantine([("chat", "c1", "c1", "again"), ("attachment", "m1", "c2", "expired link")])
    items = {i.item_id: i for i in store.quarantined()}
    assert items["c1"].attempts == 2 and items["c1"].reason == "again"
    store.release("chat", ["c1"])
    assert [i.item_id for i in store.quarantined()] == ["m1"]
    assert store.quarantined("chat") == []


def test_racing_write_claims_let_exactly_one_run_write_each_item(store: StateStore) -> None:
    def claim(n: int) -> dict[str, str]:
        return store.claim_writes("attachment", f"run-{n}", ["uid-1", "uid-2"])

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(8)))
    for key in ("uid-1", "uid-2"):
        assert sorted(r[key] for r in results) == ["busy"] * 7 + ["fresh"]
    assert store.claim_writes("note", "other", ["uid-1"]) == {"uid-1": "fresh"}  # kinds do not collide


def test_write_claim_released_or_stale_passes_to_the_next_run(store: StateStore) -> None:
    store.claim_writes("note", "a", ["1/2026-03-01#1", "1/2026-03-02#1"])
    store.release_writes("note", "a", ["1/2026-03-01#1"])
    assert store.claim_writes("note", "b", ["1/2026-03-01#1", "1/2026-03-02#1"]) == {
        "1/2026-03-01#1": "fresh", "1/2026-03-02#1": "busy"
    }
    stale = store.claim_writes("note", "c", ["1/2026-03-02#1"], lease=timedelta(seconds=-1))
    assert stale == {"1/2026-03-02#1": "reclaimed"}
    store.release_writes("note", "a", ["1/2026-03-02#1"])  # the stopped run's release no longer counts
    assert store.claim_writes("note", "d", ["1/2026-03-02#1"]) == {"1/2026-03-02#1": "busy"}
