"""Staged files: no run id can reach outside its own run folder, and cleaning a run deletes only that folder."""

from __future__ import annotations

import pathlib

import pandas as pd
import pytest

from timelines_zoho.sync import staging

HOSTILE_RUN_IDS = [
    ".", "..", "../x", "a/../../b", "/etc", "/", "manual__2026/../../..", "x\x00y", "\x00", "..\\..\\windows",
    "~", "run id with spaces", "ü" * 300, "a" * 5000, "", "./.", "....",
]


@pytest.fixture
def state_folder(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """A state folder holding the state database and token cache, with staging inside it (the risky layout)."""
    (tmp_path / "state.db").write_text("the state database")
    (tmp_path / "token-cache").mkdir()
    (tmp_path / "token-cache" / "zoho.token").write_text("a cached token")
    monkeypatch.setenv("TIMELINES_ZOHO_STAGING_DIR", str(tmp_path / "staging"))
    monkeypatch.delenv("TIMELINES_ZOHO_STAGING_URL", raising=False)
    return tmp_path


def _everything(folder: pathlib.Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


@pytest.mark.parametrize("run_id", HOSTILE_RUN_IDS, ids=lambda run_id: repr(run_id)[:30])
def test_a_hostile_run_id_stays_in_its_own_run_folder_and_cleanup_deletes_only_it(
    state_folder: pathlib.Path, run_id: str
) -> None:
    neighbour = staging.run_dir("scheduled__2026-03-30T00:00:00+00:00")
    staging.write_frame(neighbour / "chats.parquet", pd.DataFrame({"id": [1]}))
    before = _everything(state_folder)

    folder = staging.run_dir(run_id)
    staged = staging.write_frame(folder / "chats.parquet", pd.DataFrame({"id": [2]}))
    root = (state_folder / "staging").resolve()
    local = pathlib.Path(str(folder).removeprefix("file://")).resolve()
    assert local.parent == root, f"{run_id!r} staged in {local}, not in a folder of its own under {root}"
    assert local != pathlib.Path(str(neighbour).removeprefix("file://")).resolve()
    assert pathlib.Path(staged.removeprefix("file://")).resolve().parent == local
    assert len(local.name) <= 100

    staging.clean_run(run_id)

    assert _everything(state_folder) == before, "only the run's own folder is gone"


def test_distinct_run_ids_never_share_a_folder(state_folder: pathlib.Path) -> None:
    # A slug alone would fold these together ("a/b", "a_b", "a b" → "a_b"); the hash keeps them apart.
    ids = ["a/b", "a_b", "a b", "a\x00b", "A_B", "x" * 300 + "1", "x" * 300 + "2"]
    assert len({str(staging.run_dir(run_id)) for run_id in ids}) == len(ids)


def test_frames_come_back_from_parquet_as_the_loaders_read_them(state_folder: pathlib.Path) -> None:
    frame = pd.DataFrame({
        "chat_id": [7, 8],
        "match_keys": [["+525512345678", "+5215512345678"], []],
        "attachments": [[{"message_uid": "u1", "filename": None, "url": "https://f/x"}], []],
        "name": ["Ann", None],
        "from_me": [True, None],
    })
    back = staging.read_frame(staging.write_frame(staging.run_dir("r") / "f.parquet", frame))
    assert back.to_dict("records") == frame.astype(object).where(frame.notna(), None).to_dict("records")
    assert isinstance(back.loc[0, "match_keys"], list) and back.loc[1, "attachments"] == []
    assert back.loc[1, "name"] is None, "a missing string stays None (not NaN), as the API's JSON had it"


def test_api_objects_with_inconsistent_types_are_staged_as_text_instead_of_failing(state_folder: pathlib.Path) -> None:
    records = [{"id": 1, "phone": "+48601234567", "extra": {}}, {"id": "2", "phone": 48601234568}, {"name": "x"}]
    back = staging.read_frame(staging.write_records(staging.run_dir("r") / "chats.parquet", records,
                                                    ["id", "phone", "name", "extra"]))
    assert back["id"].tolist() == ["1", "2", None]
    assert back["phone"].tolist() == ["+48601234567", "48601234568", None]
    assert back["name"].tolist() == [None, None, "x"] and back["extra"].tolist() == ["{}", None, None]


def test_the_staging_url_setting_stages_on_any_object_store(monkeypatch: pytest.MonkeyPatch) -> None:
    # memory:// (fsspec's, attached the way a provider's store is) stands for s3:// or gs://: a store that no
    # worker reaches through its own file system.
    from airflow.sdk.io.store import attach
    from fsspec.implementations.memory import MemoryFileSystem

    attach("memory", fs=MemoryFileSystem())
    monkeypatch.setenv("TIMELINES_ZOHO_STAGING_URL", "memory://timelines-zoho-test/staging")
    ref = staging.write_frame(staging.run_dir("scheduled__1") / "contacts_0.parquet", pd.DataFrame({"id": [1]}))
    assert ref.startswith("memory://timelines-zoho-test/staging/scheduled__1-")
    assert staging.read_frame(ref)["id"].tolist() == [1]
    staging.clean_run("scheduled__1")
    assert not staging.open_ref(ref).exists()
