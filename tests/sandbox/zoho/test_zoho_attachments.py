"""Attachments in the emulator: multipart files and links on records and notes, size limits, list, download."""

from __future__ import annotations


def test_file_upload_list_and_download_round_trip(api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    content = bytes(range(256)) * 40
    uploaded = api.call("POST", f"Contacts/{contact}/Attachments", files={"file": ("photo.jpg", content)})
    assert uploaded.status_code == 200 and uploaded.json()["data"][0]["message"] == "attachment uploaded successfully"
    attachment_id = uploaded.json()["data"][0]["details"]["id"]
    assert api.get(f"Contacts/{contact}/Attachments").json()["code"] == "REQUIRED_PARAM_MISSING"
    listed = api.get(f"Contacts/{contact}/Attachments", fields="File_Name,Size,$type").json()["data"]
    assert listed == [{"id": attachment_id, "File_Name": "photo.jpg", "Size": str(len(content)), "$type": "File"}]
    assert api.get(f"Contacts/{contact}/Attachments/{attachment_id}").content == content


def test_link_attachment_by_attachment_url(api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    response = api.call("POST", f"Contacts/{contact}/Attachments",
                        params={"attachmentUrl": "https://example.com/a.pdf", "title": "a.pdf"})
    assert response.status_code == 200
    [item] = api.get(f"Contacts/{contact}/Attachments", fields="File_Name,$type,$link_url").json()["data"]
    assert (item["$type"], item["$link_url"], item["File_Name"]) == ("Link URL", "https://example.com/a.pdf", "a.pdf")


def test_file_over_20_mb_is_413(api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    big = b"\0" * (20 * 1024 * 1024 + 1)
    response = api.call("POST", f"Contacts/{contact}/Attachments", files={"file": ("big.bin", big)})
    assert response.status_code == 413 and response.json()["code"] == "FILE_SIZE_MORE_THAN_ALLOWED_SIZE"
    assert api.get(f"Contacts/{contact}/Attachments", fields="File_Name").status_code == 204


def test_attachments_on_notes_show_in_the_note(zoho, api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    note = api.post(f"Contacts/{contact}/Notes", {"data": [{"Note_Title": "t", "Note_Content": "c"}]}
                    ).json()["data"][0]["details"]["id"]
    response = api.call("POST", f"Notes/{note}/Attachments", files={"file": ("voice.ogg", b"OggS")})
    assert response.status_code == 200
    [entry] = api.get(f"Notes/{note}").json()["data"][0]["$attachments"]
    assert (entry["File_Name"], entry["Size"]) == ("voice.ogg", "4")
    zoho.faults(max_file_bytes=10)
    too_big = api.call("POST", f"Notes/{note}/Attachments", files={"file": ("more.ogg", b"0123456789")})
    assert too_big.status_code == 400 and too_big.json()["code"] == "FILE_SIZE_EXCEEDS"


def test_upload_to_unknown_record_or_without_file_is_an_error(api):
    unknown = api.call("POST", "Contacts/4876876000099999999/Attachments", files={"file": ("a", b"a")})
    assert unknown.status_code == 400 and unknown.json()["code"] == "INVALID_DATA"
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    empty = api.call("POST", f"Contacts/{contact}/Attachments")
    assert empty.status_code == 400 and empty.json()["status"] == "error"


def test_a_person_deleting_a_file_removes_it_from_its_note(zoho, api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    note = api.post(f"Contacts/{contact}/Notes", {"data": [{"Note_Title": "t", "Note_Content": "c"}]}
                    ).json()["data"][0]["details"]["id"]
    kept, gone = (api.call("POST", f"Notes/{note}/Attachments", files={"file": (name, b"abc")}
                           ).json()["data"][0]["details"]["id"] for name in ("kept.jpg", "gone.jpg"))
    zoho.delete_attachment(gone)
    listed = api.get(f"Notes/{note}/Attachments", fields="File_Name").json()["data"]
    assert [a["id"] for a in listed] == [kept]
    assert [a["id"] for a in api.get(f"Notes/{note}").json()["data"][0]["$attachments"]] == [kept]
    assert api.get(f"Notes/{note}/Attachments/{gone}").json()["code"] == "INVALID_DATA"
