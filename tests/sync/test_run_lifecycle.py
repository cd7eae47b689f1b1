"""A run's lifecycle under bad data and failures: the phone index survives garbled Zoho timestamps, and a failed
run ends failed, with its reason, and leaves no staged files (steps in-process, against the emulators)."""

from __future__ import annotations

from sync_support import Sync

from timelines_zoho.sync import runner

WINDOW = {"window_start": "2026-03-30T00:00:00+02:00", "window_end": "2026-04-01T00:00:00+02:00"}
GARBLED_TIMES = {"Garbled Day First": "30/03/2026 10:00", "Garbled No Offset": "2026-03-30T10:00:00"}


def _seed_garbled_contacts(sync: Sync) -> dict[str, str]:
    """Put records whose Modified_Time is not an ISO instant with an offset into Zoho; return name → id."""
    rows = [
        {"Last_Name": name, "Mobile": f"+4860912345{n}", "Modified_Time": stamp}
        for n, (name, stamp) in enumerate(GARBLED_TIMES.items())
    ]
    created = sync.zoho.seed(records={"Contacts": rows})["records"]["Contacts"]
    return dict(zip(GARBLED_TIMES, map(str, created), strict=True))


def test_a_malformed_modified_time_in_zoho_is_reported_and_the_rest_of_the_index_goes_on(sync: Sync) -> None:
    garbled = _seed_garbled_contacts(sync)
    meta = runner.start_and_extract("garbled-index", WINDOW, None, None)
    runner.prepare_zoho(meta)

    every_id = {str(record["id"]) for record in sync.dump()["records"]["Contacts"]}
    assert sync.store.index_size() == len(every_id), "every record is indexed, the garbled ones too"
    assert sync.store.match_phone_keys(["+48609123450", "+48609123451"]), "their phones still match"
    items = sync.store.run_items(meta["run_id"])
    reported = {item_id: reason for kind, item_id, outcome, reason in items if kind == "zoho_record"}
    assert set(reported) == set(garbled.values()), items
    assert all("Modified_Time" in reason for reason in reported.values())
    watermark = sync.store.index_watermark()
    assert watermark and watermark not in GARBLED_TIMES.values()

    # The next run reads incrementally from a watermark the garbled values never moved: nothing is skipped.
    sync.zoho.seed(records={"Contacts": [{"Last_Name": "Added Later", "Mobile": "+48609123459"}]})
    again = runner.start_and_extract("garbled-index-again", WINDOW, None, None)
    runner.prepare_zoho(again)
    assert sync.store.match_phone_keys(["+48609123459"]), "a record added after the garbled run is indexed"
