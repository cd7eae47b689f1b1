"""Stage a run's intermediate data as files, so XCom carries only small references (never frames or secrets)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd


def staging_root() -> Path:
    """Return `TIMELINES_ZOHO_STAGING_DIR`, else `$AIRFLOW_HOME/staging/timelines_zoho`."""
    configured = os.environ.get("TIMELINES_ZOHO_STAGING_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow")) / "staging" / "timelines_zoho"


def run_dir(run_key: str) -> Path:
    """Return (and create) the folder of one run; the run key is made safe as a folder name."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_key)[:200]
    path = staging_root() / safe
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_frame(path: Path, frame: pd.DataFrame) -> str:
    """Write a frame as JSON records (lists and None survive) atomically; return the path."""
    records = json.loads(frame.to_json(orient="records", date_format="iso")) if len(frame) else []
    return write_json(path, {"columns": list(frame.columns), "records": records})


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a frame written by `write_frame`."""
    payload = read_json(path)
    frame = pd.DataFrame.from_records(payload["records"], columns=payload["columns"])
    # Plain Python objects, as the API's JSON had them: pandas 3 would infer its string dtype, which turns a
    # None produced by a later `.map` into NaN.
    return frame.astype({name: object for name in frame.columns if frame[name].dtype == "str"})


def write_json(path: Path, value: Any) -> str:
    """Write JSON through a temporary file and a rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(value, default=str), encoding="utf-8")
    tmp.replace(path)
    return str(path)


def read_json(path: str | Path) -> Any:
    """Read a JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def clean_run(run_key: str) -> None:
    """Remove a run's staged files."""
    shutil.rmtree(run_dir(run_key), ignore_errors=True)
