"""64 hostile inputs in one sync: each is synced safely or recorded with a reason, and the rest of the batch syncs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import reliability_harness as harness
from hostile_corpus import CASES

from timelines_zoho.sync import runner, staging, summary

pytestmark = pytest.mark.slow
NOON = "2026-03-30 12:00:00 +0200"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _direct_unmatched_chats(wired: harness.Wired) -> list[dict[str, Any]]:
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook

    taken = " ".join(re.sub(r"\D", "", str(r.get("Phone") or r.get("Mobile") or ""))
                     for r in wired.zoho.state()["records"]["Contacts"])
    with harness.applied(wired.env):
        chats = list(TimelinesAIHook().iter_chats())
    phones = [c.get("phone") for c in chats]
    return [c for c in chats if str(c.get("jid", "")).endswith("@s.whatsapp.net") and not c.get("is_group")
            and re.fullmatch(r"\+\d{9,15}", str(c.get("phone"))) and phones.count(c["phone"]) == 1
            and c["phone"][1:] not in taken and c["phone"][-9:] not in taken]


def _inject_rows(meta: runner.RunRef, chats: list[dict], messages: list[dict]) -> None:
    for ref, rows in ((meta.input.chats, chats), (meta.input.messages, messages)):
        frame = staging.read_frame(ref)
        staging.write_frame(Path(ref), pd.concat([frame, pd.DataFrame(rows)], ignore_index=True))


@pytest.fixture(scope="module")
def hostile(emulators, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Inject every case, run one sync step by step, and return what each case needs to be judged."""
    timelines, zoho = emulators
    wired = harness.wire(timelines, zoho, tmp_path_factory.mktemp("hostile"))
    real = _direct_unmatched_chats(wired)
    renames = [c for c in CASES if c[1] == "rename"]
    assert len(real) >= len(renames), "W0 has too few unmatched direct chats for the corpus"
    targets: dict[str, Any] = {}
    for n, (case, how, value, _) in enumerate(c for c in CASES if c[1] in ("rename", "message", "attachment",
                                                                         "expired", "missing")):
        chat = real[n % len(renames)]
        if how == "rename":
            timelines.rename_chat(chat["id"], value)
            targets[case] = str(chat["id"])
        else:
            body = {"text": value, "ts": 1774864800} if how == "message" else {
                "text": case, "ts": 1774864800, "attachment": value}
            targets[case] = timelines.add_messages(chat["id"], [body])[0]
    with harness.applied(wired.env):
        meta = runner.start_and_extract("hostile", harness.window_params(), None, None)
        template_chat = staging.read_frame(meta.input.chats).iloc[0].to_dict()
        template_message = staging.read_frame(meta.input.messages).iloc[0].to_dict() | {
            "has_attachment": False, "attachment_url": None, "attachment_filename": None}
        new_chats, new_messages = [], []
        for n, (case, how, value, _) in enumerate(CASES):
            if how not in ("phone", "name", "timestamp"):
                continue
            chat_id = 990_000 + n
            phone = {"phone": "+48601234993", "name": value} if how == "name" else {"phone": value, "name": case}
            jid = "236974988349999@lid" if value == "@lid" else f"{re.sub(r'[^0-9]', '', str(value)) or 'x'}@s.whatsapp.net"
            if how != "timestamp":
                url = str(template_chat.get("chat_url") or "").replace(str(template_chat["id"]), str(chat_id))
                new_chats.append(template_chat | phone | {"id": chat_id, "jid": jid, "is_group": False,
                                                          "chat_url": url})
            uid = f"hostile-{case}"
            message_chat = template_chat["id"] if how == "timestamp" else chat_id
            stamp = value if how == "timestamp" else NOON
            new_messages.append(template_message | {"uid": uid, "chat_id": message_chat, "timestamp": stamp})
            targets[case] = uid if how == "timestamp" else str(chat_id)
            if case == "phone-dup-two-accounts":
                twin = new_chats[-1] | {"id": chat_id + 500, "whatsapp_account_id": "another-account",
                                        "chat_url": url.replace(str(chat_id), str(chat_id + 500))}
                new_chats.append(twin)
                new_messages.append(new_messages[-1] | {"uid": f"{uid}-twin", "chat_id": chat_id + 500})
        _inject_rows(meta, new_chats, new_messages)
        messages = staging.read_frame(meta.input.messages)
        gone = messages["uid"] == targets["attachment-404"]
        messages.loc[gone, "attachment_url"] = f"{timelines.root_url}/files/nope/gone.pdf"
        staging.write_frame(Path(meta.input.messages), messages)
        timelines.expire_urls()
        shards = runner.transform(meta)
        runner.prepare_zoho(meta)
        for step in (runner.load_contacts, runner.load_notes, runner.load_attachments):
            for shard in shards:
                step(meta, shard)
        store = runner.open_store()
        result = summary.finish(store, meta)
        items = store.run_items(meta.run_id)
        links = store.links([t for t in targets.values() if t.isdigit()])
    return {"wired": wired, "targets": targets, "summary": result, "items": items, "links": links,
            "dump": zoho.state()}


def _synced_name(hostile: dict[str, Any], chat_id: str) -> None:
    from timelines_zoho.hooks.queries import coql_quote, criteria_quote
    from timelines_zoho.hooks.zoho import ZohoCRMHook

    link = hostile["links"].get(chat_id)
    assert link is not None, f"chat {chat_id} was not linked"
    if link.how != "created":
        return
    record = next(r for r in hostile["dump"]["records"]["Contacts"] if r["id"] == link.record_id)
    name = record["Last_Name"]
    assert name.strip() and not CONTROL.search(name)
    with harness.applied(hostile["wired"].env):
        hook = ZohoCRMHook()
        by_coql = {str(r["id"]) for r in hook.coql(f"select id from Contacts where Last_Name = {coql_quote(name)}")}
        by_search = {str(r["id"]) for r in hook.search_records(
            "Contacts", criteria=f"(Last_Name:equals:{criteria_quote(name)})")}
    # The name is data, never query: it finds exactly its own record, in COQL and in a search.
    assert by_coql == {link.record_id}
    assert by_search == {link.record_id}


@pytest.mark.parametrize(("case", "how", "value", "expect"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_synced_safely_or_recorded_with_a_reason(
    hostile: dict[str, Any], case: str, how: str, value: Any, expect: str
) -> None:
    target = hostile["targets"][case]
    mine = [(kind, outcome, reason) for kind, item_id, outcome, reason in hostile["items"] if item_id == target]
    harness.record_figures("hostile", **{case: sorted({o for _, o, _ in mine}) or ["synced"]})
    problems = [(k, o, r) for k, o, r in mine if o in ("skipped", "failed", "refused", "ambiguous", "deferred")]
    assert all(r for _, _, r in problems), f"an outcome without a reason: {problems}"
    if how in ("rename", "name", "phone") and expect == "synced":
        _synced_name(hostile, target)
    elif how in ("phone", "name"):
        assert ("chat", "skipped") in {(k, o) for k, o, _ in problems}, mine
    elif how == "timestamp":
        assert ("message", "skipped") in {(k, o) for k, o, _ in problems}, mine
    elif how == "message":
        assert not problems, mine
    else:
        outcomes = {o for _, o, _ in mine}
        assert outcomes, f"attachment {case} has no recorded outcome"
        if expect == "synced":
            assert outcomes == {"uploaded"}, mine
        elif expect == "recorded":
            assert outcomes <= {"refused", "failed", "skipped"} and problems, mine


def test_hostile_batch_still_syncs_the_rest(hostile: dict[str, Any]) -> None:
    dump = hostile["dump"]
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    assert not any("\x00" in (n.get("Note_Content") or "") for n in dump["records"]["Notes"])
    twins = [hostile["links"].get(hostile["targets"]["phone-dup-two-accounts"])]
    assert twins[0] is not None
    assert hostile["summary"]["counts"]["notes_created"] >= 70
    assert hostile["summary"]["counts"]["contacts_created"] >= 19


def _uploads(wired: harness.Wired) -> int:
    return sum(n for endpoint, n in wired.zoho.stats()["calls"].items()
               if endpoint.startswith("POST") and endpoint.endswith("/Attachments"))


def test_a_file_zoho_refuses_is_recorded_once_and_not_sent_again(hostile: dict[str, Any]) -> None:
    wired, uid = hostile["wired"], hostile["targets"]["attachment-lying-mime"]
    assert [o for _, i, o, _ in hostile["items"] if i == uid] == ["refused"]
    with harness.applied(wired.env):
        store = runner.open_store()
        entry = store.attachments([uid])[uid]
        waiting = [q.item_id for q in store.quarantined("attachment")]
    assert entry.status == "refused" and "INVALID_DATA" in (entry.reason or ""), entry
    assert uid not in waiting
    # The note lists the file with Zoho's reason, so nothing is lost from the user's view.
    assert any("invoice.pdf.exe" in (n.get("Note_Content") or "") and "INVALID_DATA" in n["Note_Content"]
               for n in hostile["dump"]["records"]["Notes"])
    before = _uploads(wired)
    again = harness.sync(wired, "hostile-again", harness.window_params() | {"chat_ids": [entry.chat_id]})
    # Zoho will refuse this file every time: the next run neither uploads it nor reports it again.
    assert _uploads(wired) == before
    assert uid not in {issue["id"] for issue in again["issues"]}
