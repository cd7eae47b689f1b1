"""Stage a run's intermediate data as files, so XCom carries only small references (never frames or secrets)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

SLUG_LENGTH = 60
HASH_LENGTH = 16
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_FOLDER = re.compile(rf"[A-Za-z0-9_-]{{1,{SLUG_LENGTH}}}-[0-9a-f]{{{HASH_LENGTH}}}")


def staging_root() -> Path:
    """Return `TIMELINES_ZOHO_STAGING_DIR`, else `$AIRFLOW_HOME/staging/timelines_zoho`."""
    configured = os.environ.get("TIMELINES_ZOHO_STAGING_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow")) / "staging" / "timelines_zoho"


def run_folder_name(run_key: str) -> str:
    """Name a run's folder: a readable slug of the run key plus a hash of all of it.

    Airflow accepts run ids such as `.`, `..` or `a/../../b`; the slug keeps only letters, digits, `_` and `-`
    (no dot, no separator), so no run key can name the root, a parent or a path, and the hash keeps keys that
    slug alike (`a/b`, `a_b`) apart.
    """
    slug = _UNSAFE.sub("_", run_key)[:SLUG_LENGTH].strip("_") or "run"
    digest = hashlib.sha256(run_key.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    return f"{slug}-{digest}"


def _run_path(run_key: str) -> Path:
    return staging_root() / run_folder_name(run_key)


def run_dir(run_key: str) -> Path:
    """Return (and create) the folder of one run."""
    path = _run_path(run_key)
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
    """Remove a run's staged files: its own folder, directly under the staging root, and nothing else."""
    path = _run_path(run_key)
    if path.parent != staging_root() or not _FOLDER.fullmatch(path.name):
        raise ValueError(f"refusing to delete {path}: not a run folder of the staging root")
    shutil.rmtree(path, ignore_errors=True)
