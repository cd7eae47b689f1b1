"""Secret hygiene: after a sync with known secrets, none of them is in logs, step results (XCom), the run summary,
staged files, the emulators' request records or Zoho's data; the token cache never holds a token in clear text."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import reliability_harness as harness

from timelines_zoho.sync import runner, staging, summary


def test_no_secret_leaks_from_a_sync(fresh: harness.Wired, caplog: pytest.LogCaptureFixture) -> None:
    conn = json.loads(fresh.env["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"])
    secrets = {
        "timelines token": json.loads(fresh.env["AIRFLOW_CONN_TIMELINES_AI_DEFAULT"])["password"],
        "zoho client secret": conn["password"],
        "zoho refresh token": conn["extra"]["refresh_token"],
    }
    results: list[object] = []
    with caplog.at_level(logging.DEBUG), harness.applied(fresh.env):
        meta = runner.start_and_extract("secrets", harness.window_params(), None, None)
        shards = runner.transform(meta)
        results += [meta.to_dict(), shards, runner.prepare_zoho(meta)]  # what XCom would carry
        # Parquet is compressed: a staged frame is decoded before it is searched, so a secret cannot hide in it.
        staged = {p.name: staging.read_frame(p).to_json() if p.suffix == ".parquet" else p.read_text(errors="replace")
                  for p in Path(meta.dir).rglob("*") if p.is_file()}
        for step in (runner.load_contacts, runner.load_notes, runner.load_attachments):
            results += [step(meta, shard) for shard in shards]
        text = summary.render(summary.finish(runner.open_store(), meta))
        stored = [r.summary for r in runner.open_store().recent_runs(5)]
    cache = [p.read_bytes() for p in (fresh.folder / "tokens").rglob("*") if p.is_file()]
    places = {
        "task logs": caplog.text,
        "step results (XCom)": json.dumps(results, default=str),
        "run summary": text + json.dumps(stored, default=str),
        "staged files": json.dumps(staged),
        "TimelinesAI request records": json.dumps(fresh.timelines.stats()["calls"]),
        "Zoho request records and data": json.dumps([fresh.zoho.stats(), fresh.zoho.state()]),
        "token cache": repr(cache),
    }
    leaks = {(name, place) for name, value in secrets.items() for place, text in places.items() if value in text}
    assert leaks == set()
    assert len(staged) >= 4 and results
    # The cache held an access token during the run, but only encrypted (Fernet), never as readable JSON.
    assert cache and not any(b"access_token" in blob or b"expires" in blob for blob in cache)
    harness.record_figures("secrets", places_searched=len(places), secrets=len(secrets), leaks=len(leaks),
                           token_cache_files=len(cache))
