"""Attachment URLs: served by the emulator itself, signed, expiring, re-fetchable through GET /messages/{uid}."""

from __future__ import annotations

import requests


def _attachments(tl) -> list[dict]:
    chat = tl.chat_by_name("Anna Kowalska")
    pages = [tl.data(f"/chats/{chat['id']}/messages", page=p)["messages"] for p in (1, 2)]
    return [m for page in pages for m in page if m["has_attachment"]]


def test_attachment_downloads_with_its_type_and_size(tl):
    pdf = next(m for m in _attachments(tl) if m["attachment_filename"].endswith(".pdf"))
    assert pdf["attachment_url"].startswith(f"{tl.admin.root_url}/files/")
    response = requests.get(pdf["attachment_url"], timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and len(response.content) == 184_321


def test_big_attachment_streams_over_20_mb(tl):
    video = next(m for m in _attachments(tl) if m["attachment_filename"].endswith(".mp4"))
    with requests.get(video["attachment_url"], stream=True, timeout=60) as response:
        assert response.status_code == 200
        size = sum(len(chunk) for chunk in response.iter_content(1 << 20))
    assert size == int(response.headers["content-length"]) > 20 * 1024 * 1024


def test_expired_urls_are_refused_and_a_fresh_one_works(tl):
    message = _attachments(tl)[0]
    tl.admin.expire_urls()
    stale = requests.get(message["attachment_url"], timeout=30)
    assert stale.status_code == 403 and b"<Error>" in stale.content
    fresh = tl.data(f"/messages/{message['uid']}")["attachment_url"]
    assert requests.get(fresh, timeout=30).status_code == 200


def test_urls_expire_after_the_ttl(tl):
    tl.admin.settings(url_ttl_seconds=-1)
    message = _attachments(tl)[0]
    expired = requests.get(message["attachment_url"], timeout=30)
    assert expired.status_code == 403 and b"Request has expired" in expired.content


def test_tampered_signature_is_refused(tl):
    url = _attachments(tl)[0]["attachment_url"]
    assert requests.get(url[:-3] + "000", timeout=30).status_code == 403


def test_a_download_host_that_refuses_connections(tl):
    first, second, third = _attachments(tl)[:3]
    tl.admin.faults(refused_download_uids=[first["uid"]], refused_downloads_next=1)
    urls = {m["uid"]: m["attachment_url"] for m in _attachments(tl)}
    refused = [uid for uid, url in urls.items() if not url.startswith(f"{tl.admin.root_url}/files/")]
    assert refused == [first["uid"], second["uid"]], "the chosen file and the next URL handed out"
    for uid in refused:
        try:
            requests.get(urls[uid], timeout=5)
        except requests.ConnectionError as error:
            assert "refused" in str(error).lower()
        else:
            raise AssertionError("the refusing host answered")
    assert requests.get(urls[third["uid"]], timeout=30).status_code == 200
    tl.admin.faults(refused_download_uids=[])
    chat = tl.chat_by_name("Anna Kowalska")
    tl.admin.faults(refused_download_chats=[chat["id"]])
    assert all(not m["attachment_url"].startswith(tl.admin.root_url) for m in _attachments(tl))
