"""End to end with `dag.test()`: what happens in Zoho when WhatsApp changes after a sync (more messages, renames,
big files), and when the integration is not active."""

from __future__ import annotations

import json
from dataclasses import replace

from sync_support import END, Sync, local_epoch, pick_chat, workspace

from timelines_zoho.state import IntegrationSettings


def _notes(sync: Sync) -> dict[str, dict]:
    return {n["id"]: n for n in sync.dump()["records"]["Notes"]}


def test_more_messages_on_a_day_update_its_note_and_add_none(sync: Sync) -> None:
    sync.run_day(END)
    chat, _, note = pick_chat(sync.dump(), workspace(), END, created=True)
    before = _notes(sync)
    sync.timelines.add_messages(chat["id"], [
        {"text": "One more question about invoice 4411", "from_me": False, "ts": local_epoch(END, 23, 50)},
    ])
    summary = sync.run_day(END)
    after = _notes(sync)
    assert set(after) == set(before), "no second note for the same chat and day"
    assert "invoice 4411" in after[note["id"]]["Note_Content"]
    assert summary["counts"]["notes_updated"] == 1 and summary["counts"]["notes_created"] == 0


def test_whatsapp_rename_updates_the_name_we_wrote(sync: Sync) -> None:
    sync.run_day(END)
    chat, record, _ = pick_chat(sync.dump(), workspace(), END, created=True)
    sync.timelines.rename_chat(chat["id"], "Renata Renamed")
    summary = sync.run_day(END)
    records = {r["id"]: r for r in sync.dump()["records"]["Contacts"]}
    assert records[record["id"]]["Last_Name"] == "Renata Renamed"
    assert summary["counts"]["contacts_renamed"] == 1


def _keep_zoho_names(sync: Sync) -> None:
    sync.store.save_settings(replace(sync.store.get_settings(), keep_zoho_names=True), "tester")


def test_a_whatsapp_rename_wins_over_a_name_edited_in_zoho_by_default(sync: Sync) -> None:
    sync.run_day(END)
    chat, record, _ = pick_chat(sync.dump(), workspace(), END, created=True)
    sync.zoho.edit_record("Contacts", record["id"], Last_Name="Edited By Sales")
    sync.timelines.rename_chat(chat["id"], "Renata Renamed")
    summary = sync.run_day(END)
    records = {r["id"]: r for r in sync.dump()["records"]["Contacts"]}
    assert records[record["id"]]["Last_Name"] == "Renata Renamed"
    assert summary["counts"]["contacts_renamed"] == 1


def test_keep_names_edited_in_zoho_leaves_the_edit_alone(sync: Sync) -> None:
    _keep_zoho_names(sync)
    sync.run_day(END)
    chat, record, _ = pick_chat(sync.dump(), workspace(), END, created=True)
    sync.zoho.edit_record("Contacts", record["id"], Last_Name="Edited By Sales")
    sync.timelines.rename_chat(chat["id"], "Renata Renamed")
    summary = sync.run_day(END)
    records = {r["id"]: r for r in sync.dump()["records"]["Contacts"]}
    assert records[record["id"]]["Last_Name"] == "Edited By Sales"
    assert summary["counts"]["contacts_renamed"] == 0
    assert any(i["outcome"] == "rename_skipped" and "keep names edited in Zoho" in i["reason"]
               for i in summary["issues"])


def test_note_titles_carry_the_name_the_record_has_in_zoho(sync: Sync) -> None:
    _keep_zoho_names(sync)
    sync.run_day(END)
    chat, record, note = pick_chat(sync.dump(), workspace(), END, created=True)
    sync.zoho.edit_record("Contacts", record["id"], Last_Name="Edited By Sales")
    sync.timelines.add_messages(chat["id"], [{"text": "and one more", "from_me": False,
                                              "ts": local_epoch(END, 23, 50)}])
    sync.run_day(END)
    assert _notes(sync)[note["id"]]["Note_Title"] == f"WhatsApp chat with Edited By Sales ({END:%d/%m/%Y})"


def test_a_person_s_title_carries_first_and_last_name_from_zoho(sync: Sync) -> None:
    sync.run_day(END)
    chat, record, note = pick_chat(sync.dump(), workspace(), END, created=True)
    sync.zoho.edit_record("Contacts", record["id"], First_Name="Maria", Last_Name="Kowalska-Nowak")
    sync.timelines.add_messages(chat["id"], [{"text": "one more", "from_me": False, "ts": local_epoch(END, 23, 51)}])
    sync.run_day(END)
    assert _notes(sync)[note["id"]]["Note_Title"] == f"WhatsApp chat with Maria Kowalska-Nowak ({END:%d/%m/%Y})"


def test_a_chat_without_a_whatsapp_name_is_titled_by_its_phone(sync: Sync) -> None:
    sync.run_day(END)
    dump = sync.dump()
    unnamed = {r["id"]: r["Mobile"] for r in dump["records"]["Contacts"]
               if r["Last_Name"].startswith("New WhatsApp contact: ")}
    titles = [(n["Note_Title"], unnamed[n["Parent_Id"]["id"]]) for n in dump["records"]["Notes"]
              if n["Parent_Id"]["id"] in unnamed]
    assert titles, "the scenario has an unnamed chat with a note"
    for title, phone in titles:
        assert title.startswith(f"WhatsApp chat with {phone} ("), title


def test_a_file_over_zohos_limit_is_listed_in_the_note_with_its_reason(sync: Sync) -> None:
    sync.run_day(END)
    chat, _, note = pick_chat(sync.dump(), workspace(), END, created=True)
    sync.timelines.add_messages(chat["id"], [{
        "text": "the full video", "from_me": False, "ts": local_epoch(END, 23, 55),
        "attachment": {"filename": "site-visit.mp4", "size": 21 * 1024 * 1024 + 1},
    }])
    summary = sync.run_day(END)
    dump = sync.dump()
    content = {n["id"]: n for n in dump["records"]["Notes"]}[note["id"]]["Note_Content"]
    assert "Files not attached:" in content and "site-visit.mp4" in content.split("Files not attached:")[1]
    assert "20 MB" in content or "too large" in content
    assert not [a for a in dump["attachments"] if a["File_Name"] == "site-visit.mp4"]
    assert summary["counts"]["attachments_refused"] == 1
    sync.run_day(END)
    assert json.dumps(sync.dump(), sort_keys=True) == json.dumps(dump, sort_keys=True)


def test_an_inactive_integration_fails_the_run_clearly(sync: Sync) -> None:
    from timelines_zoho.sync import runner

    sync.store.set_active(False, "tester")
    dump = sync.dump()
    run = load_and_test()
    assert run.state == "failed"
    assert json.dumps(sync.dump(), sort_keys=True) == json.dumps(dump, sort_keys=True)
    try:
        runner.start_and_extract("manual__x", {}, None, None)
    except runner.IntegrationNotActive as error:
        assert "not active" in str(error) and "Activate" in str(error)
    else:
        raise AssertionError("a run of an inactive integration must fail")
    assert isinstance(sync.store.get_settings(), IntegrationSettings)


def load_and_test():
    from sync_support import load_dag

    return load_dag().test(run_conf={"window_start": "2026-03-31T00:00:00+02:00"})
