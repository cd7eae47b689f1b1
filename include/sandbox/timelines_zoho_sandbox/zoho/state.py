"""The emulator's whole state in memory, its indexes, and its optional JSON file."""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import hashlib
import json
import logging
import os
import random
import re
import time
from collections import defaultdict
from typing import Any

from timelines_zoho_sandbox.zoho.catalog import SYSTEM_FIELDS, build_modules
from timelines_zoho_sandbox.zoho.coql_index import OrderedIndex, build_indexes

log = logging.getLogger(__name__)

ID_BASE = 4876876000000000000  # 19-digit ids, as Zoho's
DATA_CENTRES = ("us", "eu", "in", "au", "jp", "ca", "sa", "cn")
DEFAULT_FAULTS: dict[str, Any] = {
    "seed": 1,
    "latency_ms": 0,
    "error_rate": 0.0,
    "rate_limit_rate": 0.0,
    "reset_rate": 0.0,
    "token_ttl": 3600,
    "concurrency": 20,
    "sub_concurrency": 10,
    "credits_budget": 100_000,
    "index_delay": 0.0,
    "throttle_status": 200,
    "max_file_bytes": 20 * 1024 * 1024,
    "strict_picklists": True,
    "mandatory_custom_field": None,
    "tamper": [],  # answers spoiled after the call was handled (see sandbox/tamper.py)
}
PERSISTED = ("counter", "org", "users", "clients", "refresh_tokens", "access_tokens", "grants", "modules",
             "records", "attachments", "faults", "credits", "stats")
NON_DIGITS = re.compile(r"\D")
VOLATILE = {*SYSTEM_FIELDS, "created_time", "modified_time"}


def digits(value: str) -> str:
    """Keep only the digits of a phone number."""
    return NON_DIGITS.sub("", value)


class PhoneIndex:
    """Phone digits of one module in one string, so a contains-search runs at C speed over all of them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.blob = ""
        self.starts: list[int] = []  # offset of each line in the blob
        self.ids: list[str] = []  # record id of each line
        self.size = 0

    def add(self, record: dict[str, Any], phone_fields: list[str]) -> None:
        """Add a record's phone numbers, one line each."""
        for field in phone_fields:
            if record.get(field):
                line = digits(str(record[field])) + "\n"
                self.parts.append(line)
                self.starts.append(self.size)
                self.ids.append(record["id"])
                self.size += len(line)

    def compact(self) -> None:
        """Fold added lines into the blob: one join per search, not one per insert."""
        if self.parts:
            self.blob += "".join(self.parts)
            self.parts = []

    def search(self, query_digits: str) -> set[str]:
        """Return the ids whose phone digits contain `query_digits`."""
        self.compact()
        found: set[str] = set()
        if not query_digits:
            return found
        position = self.blob.find(query_digits)
        while position >= 0:
            found.add(self.ids[bisect.bisect_right(self.starts, position) - 1])
            position = self.blob.find(query_digits, position + 1)
        return found


class ZohoState:
    """Everything the emulator knows: org, users, OAuth clients and tokens, metadata, records, files."""

    def __init__(self, state_file: str | None = None) -> None:
        self.state_file = state_file
        self.reset()
        if state_file and os.path.exists(state_file):
            self.load(state_file)

    def reset(self) -> None:
        """Forget everything and start from the default, empty org."""
        self.counter = 0
        self.faults: dict[str, Any] = {**DEFAULT_FAULTS, "tamper": []}
        self.rng = random.Random(self.faults["seed"])
        self.org: dict[str, Any] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.clients: dict[str, dict[str, Any]] = {}
        self.grants: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.modules = build_modules(self.next_id)
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.modules}
        self.attachments: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}
        self.credits: dict[str, int] = {}  # credits spent per epoch minute, for the rolling 24-hour window
        self.stats: dict[str, Any] = {"calls": {}, "credits_used": 0, "refreshes": 0, "tokens_issued": 0}
        self.page_tokens: dict[str, dict[str, Any]] = {}
        self.visible_after: dict[str, float] = {}
        self.in_flight = 0
        self.heavy_in_flight = 0  # search and COQL calls, which share a sub-concurrency limit
        self.rebuild_indexes()

    # ids, clock, randomness

    def next_id(self) -> str:
        """Return a new 19-digit id; ids grow, so insertion order is id order."""
        self.counter += 1
        return str(ID_BASE + self.counter)

    @staticmethod
    def now() -> str:
        """Return the current time as Zoho renders it (ISO 8601 with offset, no fractions)."""
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()

    def token_hex(self, n: int = 32) -> str:
        """Return reproducible pseudo-random hex for tokens and codes."""
        return f"{self.rng.getrandbits(n * 4):0{n}x}"

    def set_faults(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply fault and knob changes; a new seed restarts the random sequence."""
        unknown = sorted(set(changes) - set(DEFAULT_FAULTS))
        if unknown:
            raise KeyError(", ".join(unknown))
        self.faults.update(changes)
        if "seed" in changes:
            self.rng = random.Random(self.faults["seed"])
        return self.faults

    # metadata lookups

    def field_map(self, module: str) -> dict[str, dict[str, Any]]:
        """Return a module's fields by api name."""
        return {field["api_name"]: field for field in self.modules[module]["fields"]}

    def fields_of_type(self, module: str, *types: str) -> list[str]:
        """Return the api names of a module's fields of the given data types."""
        return [f["api_name"] for f in self.modules[module]["fields"] if f["data_type"] in types]

    def minified_user(self, user_id: str) -> dict[str, Any]:
        """Return the {name, id, email} form Zoho embeds for a user."""
        user = self.users[user_id]
        return {"name": user["full_name"], "id": user_id, "email": user["email"]}

    def current_user_id(self) -> str:
        """Return the org's primary user: the one who consents in the OAuth flow."""
        return self.org.get("primary_user_id") or next(iter(self.users), "")

    # indexes

    def rebuild_indexes(self) -> None:
        """Recompute every index from the records."""
        self.phone_indexes: dict[str, PhoneIndex] = {}
        self.email_index: dict[str, dict[str, set[str]]] = {m: defaultdict(set) for m in self.modules}
        self.unique_index: dict[str, dict[str, dict[str, str]]] = {m: {} for m in self.modules}
        self.notes_by_parent: dict[str, list[str]] = defaultdict(list)
        self.attachments_by_parent: dict[str, list[str]] = defaultdict(list)
        self.ordered_indexes: dict[str, dict[str, OrderedIndex]] = {}  # built below in one sort, not by insorts
        for module, records in self.records.items():
            self.unique_index[module] = {f["api_name"]: {} for f in self.modules[module]["fields"] if f["unique"]}
            for record in records.values():
                self.index_record(module, record)
        self.ordered_indexes = {module: build_indexes(records.values()) for module, records in self.records.items()}
        for attachment_id, attachment in self.attachments.items():
            self.attachments_by_parent[attachment["Parent_Id"]["id"]].append(attachment_id)

    def index_record(self, module: str, record: dict[str, Any]) -> None:
        """Add one record to the indexes."""
        record_id = record["id"]
        for field in self.fields_of_type(module, "email"):
            if record.get(field):
                self.email_index[module][str(record[field]).lower()].add(record_id)
        for field, index in self.unique_index[module].items():
            if record.get(field) not in (None, ""):
                index[str(record[field]).lower()] = record_id
        if module == "Notes":
            self.notes_by_parent[record["Parent_Id"]["id"]].append(record_id)
        for ordered in self.ordered_indexes.get(module, {}).values():
            ordered.add(record)
        phone_index = self.phone_indexes.get(module)
        if phone_index is not None:
            phone_index.add(record, self.fields_of_type(module, "phone"))

    def unindex_record(self, module: str, record: dict[str, Any]) -> None:
        """Remove one record from the indexes."""
        record_id = record["id"]
        for field in self.fields_of_type(module, "email"):
            if record.get(field):
                self.email_index[module][str(record[field]).lower()].discard(record_id)
        for field, index in self.unique_index[module].items():
            if index.get(str(record.get(field)).lower()) == record_id:
                del index[str(record[field]).lower()]
        if module == "Notes":
            self.notes_by_parent[record["Parent_Id"]["id"]].remove(record_id)
        for ordered in self.ordered_indexes[module].values():
            ordered.discard(record_id)
        if any(record.get(f) for f in self.fields_of_type(module, "phone")):
            self.phone_indexes.pop(module, None)

    def phone_index(self, module: str) -> PhoneIndex:
        """Return the module's phone index, building it when missing (after a phone changed or was removed)."""
        index = self.phone_indexes.get(module)
        if index is None:
            index, fields = PhoneIndex(), self.fields_of_type(module, "phone")
            for record in self.records[module].values():
                index.add(record, fields)
            self.phone_indexes[module] = index
        return index

    def phone_matches(self, module: str, query_digits: str) -> set[str]:
        """Return ids of records with a phone field whose digits contain `query_digits` (Zoho's fuzzy equals)."""
        return self.phone_index(module).search(query_digits)

    # record storage

    def put_record(self, module: str, record: dict[str, Any], previous: dict[str, Any] | None = None) -> None:
        """Store a new or changed record and keep the indexes right."""
        if previous is not None:
            self.unindex_record(module, previous)
        self.records[module][record["id"]] = record
        self.index_record(module, record)
        if self.faults["index_delay"]:
            self.visible_after[record["id"]] = time.time() + float(self.faults["index_delay"])

    def delete_record(self, module: str, record_id: str) -> None:
        """Remove a record, its notes and its attachments."""
        record = self.records[module].pop(record_id)
        self.unindex_record(module, record)
        for note_id in list(self.notes_by_parent.get(record_id, [])):
            self.delete_record("Notes", note_id)
        for attachment_id in self.attachments_by_parent.pop(record_id, []):
            self.attachments.pop(attachment_id, None)
            self.blobs.pop(attachment_id, None)

    def find_record(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """Find a record by id in any module."""
        for module, records in self.records.items():
            if record_id in records:
                return module, records[record_id]
        return None

    # persistence and dumps

    def save(self) -> None:
        """Write the state to its file, when one was given."""
        if not self.state_file:
            return
        data = {name: getattr(self, name) for name in PERSISTED}
        data["blobs"] = {k: base64.b64encode(v).decode() for k, v in self.blobs.items()}
        os.makedirs(os.path.dirname(os.path.abspath(self.state_file)), exist_ok=True)
        tmp = f"{self.state_file}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, self.state_file)
        log.info("saved Zoho sandbox state with %d records", sum(len(r) for r in self.records.values()))

    def load(self, path: str) -> None:
        """Read the state from a file written by `save`."""
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        for name in PERSISTED:
            setattr(self, name, data[name])
        self.faults = {**DEFAULT_FAULTS, **self.faults}  # knobs added since the file was written
        self.blobs = {k: base64.b64decode(v) for k, v in data["blobs"].items()}
        self.rng = random.Random(self.faults["seed"])
        self.rebuild_indexes()

    def dump(self) -> dict[str, Any]:
        """Return a normalised, deterministic view of the data: sorted, without volatile timestamps or tokens."""

        def clean(record: dict[str, Any]) -> dict[str, Any]:
            return {k: record[k] for k in sorted(record) if k not in VOLATILE}

        return {
            "org": clean(self.org),
            "users": [clean(u) for _, u in sorted(self.users.items())],
            "records": {m: [clean(r) for _, r in sorted(rs.items())] for m, rs in sorted(self.records.items())},
            "attachments": [
                {**{k: a[k] for k in ("id", "File_Name", "Size", "$type", "$link_url") if k in a},
                 "parent_id": a["Parent_Id"]["id"],
                 "sha256": hashlib.sha256(self.blobs.get(i, b"")).hexdigest()}
                for i, a in sorted(self.attachments.items())
            ],
            "picklists": {
                m: {f["api_name"]: [o["actual_value"] for o in f["pick_list_values"]]
                    for f in meta["fields"] if f["data_type"] == "picklist"}
                for m, meta in sorted(self.modules.items())
            },
        }
