"""The generator: deterministic, covering every case the issue lists; and state that survives a restart."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from timelines_zoho_sandbox.server import serve_app
from timelines_zoho_sandbox.timelinesai import content
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.timelinesai.app import create_app
from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams, generate
from timelines_zoho_sandbox.timelinesai.render import messages_json, stamp


def _fingerprint(params: WorkspaceParams) -> tuple:
    ws = generate(params)
    chats = [(c.id, c.names, c.phone, c.jid, c.account, c.labels, c.responsible) for c in ws.chats]
    cols = {name: values.tobytes() for name, values in ws.messages.cols.items()}
    return chats, cols, [t.token for t in ws.teammates]


def test_same_seed_gives_the_same_workspace_and_another_seed_does_not():
    params = WorkspaceParams(seed=7, chats=80, messages=1_500)
    assert _fingerprint(params) == _fingerprint(params)
    assert _fingerprint(params) != _fingerprint(WorkspaceParams(seed=8, chats=80, messages=1_500))


def test_size_knobs_are_honoured():
    ws = generate(WorkspaceParams(seed=3, chats=300, messages=9_000, accounts=5, days=40))
    assert (len(ws.chats), len(ws.messages), len(ws.accounts)) == (300, 9_000, 5)
    span = int(ws.messages.cols["ts"].max() - ws.messages.cols["ts"].min())
    assert 30 * 86_400 < span <= 40 * 86_400 + 86_400 * 60  # many days (hand-made chats reach a little back)


def test_every_listed_case_is_present():
    ws = generate(WorkspaceParams())
    jids = [c.jid for c in ws.chats]
    assert any(j.endswith("@g.us") for j in jids) and any(j.endswith("@broadcast") for j in jids)
    assert any(j.endswith("@newsletter") for j in jids) and any(j.endswith("@lid") for j in jids)
    assert any(c.phone == "+0" for c in ws.chats)
    phones = {c.phone for c in ws.chats}
    assert {
        "+5511987654321",
        "+5215512345678",
        "+5491123456789",
    } <= phones  # BR ninth digit, MX +521, AR +549
    assert any(
        c.phone and c.jid.startswith("55") and c.jid[:-15] != c.phone[1:] for c in ws.chats
    )  # legacy BR jid
    assert any(c.name == c.phone for c in ws.chats)  # unnamed
    assert any(len(c.names) >= 3 for c in ws.chats)  # renamed over time
    owners = {ws.teammates[a.owner].email for a in ws.accounts}
    assert "tom.baker.sales@gmail.example" in owners and len(owners) > 1  # matching and non-matching owners
    assert any(a.status == "disconnected" for a in ws.accounts)
    types = set(ws.messages.cols["mtype"].tolist())
    assert types == {0, 1, 2}  # whatsapp, whatsapp_call, note
    kinds = set(ws.messages.cols["att_kind"].tolist()) - {-1}
    assert len(kinds) == len(content.ATTACHMENT_KINDS)
    assert int(ws.messages.cols["att_size"].max()) > 20 * 1024 * 1024
    texts = [t for t in ws.messages.text.values() if t is not None]
    assert "" in texts and any(len(t) > 65_535 for t in texts)
    assert any(re.search("[\u0590-\u06ff]", t) for t in texts) and any(
        re.search("[\U0001f300-\U0001faff]", t) for t in texts
    )
    offsets = {dt.datetime.fromtimestamp(int(ts), ws.tz).utcoffset() for ts in ws.messages.cols["ts"]}
    assert len(offsets) == 2  # the window spans a DST change


def test_rendered_messages_have_one_attachment_url_without_mimetype():
    ws = generate(WorkspaceParams())
    index = next(i for i in range(len(ws.messages)) if ws.messages.cols["att_kind"][i] >= 0)
    item = messages_json(ws, [index], lambda uid, name: f"u/{uid}/{name}")[0]
    assert item["has_attachment"] and item["attachment_url"].startswith("u/") and "mimetype" not in item


def test_state_survives_a_restart_only_with_a_state_file(tmp_path):
    state_file = str(tmp_path / "timelinesai.json")
    first = serve_app(lambda url: create_app(url, state_file))
    admin = TimelinesAISandboxAdmin(first.url)
    admin.seed(seed=5, chats=60, messages=800)
    admin.rename_chat(admin_chat_id := _any_chat_id(admin), "Renamed Before Restart")
    uid = admin.add_messages(admin_chat_id, [{"text": "kept"}])[0]
    first.stop()
    second = serve_app(lambda url: create_app(url, state_file))
    try:
        again = TimelinesAISandboxAdmin(second.url)
        stats = again.stats()
        assert (stats["chats"], stats["messages"]) == (60, 801)
        assert _chat_name(again, admin_chat_id) == "Renamed Before Restart"
        assert _message(again, uid)["text"] == "kept"
    finally:
        second.stop()
    plain = serve_app(lambda url: create_app(url))
    try:
        assert TimelinesAISandboxAdmin(plain.url).stats()["messages"] != 801
    finally:
        plain.stop()


def _session(admin: TimelinesAISandboxAdmin):
    admin.session.headers["Authorization"] = f"Bearer {admin.tokens()['owner']}"
    return admin.session


def _any_chat_id(admin: TimelinesAISandboxAdmin) -> int:
    return _session(admin).get(f"{admin.api_url}/chats", timeout=10).json()["data"]["chats"][3]["id"]


def _chat_name(admin: TimelinesAISandboxAdmin, chat_id: int) -> str:
    return _session(admin).get(f"{admin.api_url}/chats/{chat_id}", timeout=10).json()["data"]["name"]


def _message(admin: TimelinesAISandboxAdmin, uid: str) -> dict:
    return _session(admin).get(f"{admin.api_url}/messages/{uid}", timeout=10).json()["data"]


@given(
    ts=st.integers(min_value=0, max_value=4_102_444_800),
    zone=st.sampled_from(
        ["Europe/Warsaw", "Asia/Jerusalem", "America/Sao_Paulo", "Australia/Lord_Howe", "UTC"]
    ),
)
def test_fast_timestamp_format_equals_strftime_in_every_zone(ts, zone):
    tz = ZoneInfo(zone)
    assert stamp(ts, tz) == dt.datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M:%S %z")
