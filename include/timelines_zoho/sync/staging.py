"""Stage a run's intermediate data where every worker reaches it, so XCom carries only small references.

Decisions:

- Where: `TIMELINES_ZOHO_STAGING_URL`, any URL Airflow's `ObjectStoragePath` opens (`s3://bucket/prefix`,
  `gs://…` with the matching provider, and `TIMELINES_ZOHO_STAGING_CONN_ID` naming its connection). Without it,
  the folder `TIMELINES_ZOHO_STAGING_DIR`, else `$AIRFLOW_HOME/staging`: a `file://` root, right for one machine
  or for a volume every worker mounts at the same path. Extract, transform and the loads may run on different
  workers; a root under each worker's own home would hide one task's output from the next.
- Frames are Parquet (pyarrow): typed columns go to disk and come back as they were, lists (match keys, message
  uids) and lists of records (attachments) included, with no text encoding in between.
- A column whose values the API typed inconsistently (a number among strings) cannot be one Arrow type; it is
  staged as text (JSON for non-strings) rather than failing the run: transform then rejects the bad rows with
  their reasons, as it would have rejected the original values.
- A reference is a URL, or for the local root a plain path: the same value opens the same object on any worker.
- A run's folder is a strict slug of the run id plus a hash (`run_folder_name`), and cleanup deletes only such a
  folder directly under the root, so no run id (`.`, `..`, `a/../../b`) reaches the root or anything above it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

SLUG_LENGTH = 60
HASH_LENGTH = 16
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_FOLDER = re.compile(rf"[A-Za-z0-9_-]{{1,{SLUG_LENGTH}}}-[0-9a-f]{{{HASH_LENGTH}}}")


def _conn_id() -> str | None:
    return os.environ.get("TIMELINES_ZOHO_STAGING_CONN_ID") or None


def staging_root() -> ObjectStoragePath:
    """Return the staging root: the configured URL, else a local folder as a `file://` URL."""
    from airflow.sdk import ObjectStoragePath

    url = os.environ.get("TIMELINES_ZOHO_STAGING_URL")
    if not url:
        folder = os.environ.get("TIMELINES_ZOHO_STAGING_DIR") or (
            Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow")) / "staging"
        )
        url = Path(folder).absolute().as_uri()
    return ObjectStoragePath(url.rstrip("/"), conn_id=_conn_id())


def open_ref(ref: str | os.PathLike[str]) -> ObjectStoragePath:
    """Open a reference made by this module (a URL, or a plain local path) as a path on its store."""
    from airflow.sdk import ObjectStoragePath

    if isinstance(ref, ObjectStoragePath):
        return ref
    text = os.fspath(ref)
    return ObjectStoragePath(text if "://" in text else Path(text).absolute().as_uri(), conn_id=_conn_id())


def ref_of(path: ObjectStoragePath) -> str:
    """Return the reference XCom carries: the local path on the file store, else the URL."""
    return path.path if path.protocol in ("file", "local") else str(path)


def run_folder_name(run_key: str) -> str:
    """Name a run's folder: a readable slug of the run key plus a hash of all of it.

    Airflow accepts run ids such as `.`, `..` or `a/../../b`; the slug keeps only letters, digits, `_` and `-`
    (no dot, no separator), so no run key can name the root, a parent or a path, and the hash keeps keys that
    slug alike (`a/b`, `a_b`) apart.
    """
    slug = _UNSAFE.sub("_", run_key)[:SLUG_LENGTH].strip("_") or "run"
    digest = hashlib.sha256(run_key.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    return f"{slug}-{digest}"


def run_dir(run_key: str) -> ObjectStoragePath:
    """Return (and create) the folder of one run."""
    path = staging_root() / run_folder_name(run_key)
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_run(run_key: str) -> None:
    """Remove a run's staged files: its own folder, directly under the staging root, and nothing else."""
    root = staging_root()
    path = root / run_folder_name(run_key)
    if path.parent != root or not _FOLDER.fullmatch(path.name):
        raise ValueError(f"refusing to delete {path}: not a run folder of the staging root")
    if path.exists():
        path.rmdir(recursive=True)


def write_records(path: ObjectStoragePath | str, records: list[dict], columns: list[str]) -> str:
    """Stage API objects as a Parquet table of `columns` (keys an object lacks are null); return the reference."""
    return _write_table(path, pa.table(
        {name: _arrow([record.get(name) for record in records]) for name in columns}
    ))


def write_frame(path: ObjectStoragePath | str, frame: pd.DataFrame) -> str:
    """Stage a frame as Parquet; return the reference."""
    return _write_table(path, pa.table({str(name): _arrow(frame[name]) for name in frame.columns}))


def read_frame(ref: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a frame staged by `write_frame` or `write_records`."""
    with open_ref(ref).open("rb") as handle:
        table = pq.read_table(handle)
    # Plain Python objects, as the API's JSON had them: pandas 3 would infer its string dtype, which turns a None
    # produced by a later `.map` into NaN; lists come back as lists rather than numpy arrays.
    return pd.DataFrame(
        {name: _pandas(table.column(name)) for name in table.column_names}, columns=table.column_names
    )


def write_json(path: ObjectStoragePath | str, value: Any) -> str:
    """Stage a small JSON value (call counts); return the reference."""
    target = open_ref(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(value, default=str), encoding="utf-8")
    return ref_of(target)


def read_json_all(folder: str | os.PathLike[str]) -> Iterator[Any]:
    """Yield every JSON value staged in a folder, by file name (an absent folder holds none)."""
    path = open_ref(folder)
    if not path.exists():
        return
    for child in sorted(path.iterdir(), key=lambda p: p.name):
        if child.name.endswith(".json"):
            yield json.loads(child.read_text(encoding="utf-8"))


def _write_table(path: ObjectStoragePath | str, table: pa.Table) -> str:
    # Through a temporary name and a rename, so a retried task never leaves a half file under the real name.
    target = open_ref(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.parent / f".{target.name}.{uuid.uuid4().hex}.partial"
    with partial.open("wb") as handle:
        pq.write_table(table, handle)
    partial.rename(target)
    return ref_of(target)


def _arrow(values: pd.Series | list[Any]) -> pa.Array:
    """Return one Arrow column, falling back to text when the values share no Arrow type."""
    try:
        column = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        column = None
    if column is not None and not _has_empty_struct(column.type):
        return column
    return pa.array([_text(value) for value in values], type=pa.string())


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return json.dumps(value, default=str)


def _has_empty_struct(kind: pa.DataType) -> bool:
    """Tell whether a type holds a struct with no fields (`{}`), which Parquet cannot store."""
    if pa.types.is_struct(kind):
        return kind.num_fields == 0 or any(_has_empty_struct(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _has_empty_struct(kind.value_type)
    return False


def _pandas(column: pa.ChunkedArray) -> pd.Series:
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_struct(kind):
        return pd.Series(column.to_pylist(), dtype=object)
    values = column.to_numpy(zero_copy_only=False)
    return pd.Series(values, dtype=object if values.dtype == object else values.dtype, copy=False)
