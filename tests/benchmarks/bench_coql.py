"""Print how fast the emulator's COQL and criteria engines are on 100,000 Contacts."""

from __future__ import annotations

import time

from timelines_zoho_sandbox.zoho.coql import execute
from timelines_zoho_sandbox.zoho.coql_index import build_indexes
from timelines_zoho_sandbox.zoho.criteria import compile_criteria

RECORDS = 100_000


def contacts() -> list[dict[str, object]]:
    """Build synthetic Contacts shaped like the emulator's records."""
    return [
        {
            "id": str(4150868000000300000 + n),
            "Last_Name": f"Name{n}",
            "Phone": f"+48600{n:06d}",
            "Owner": {"id": "4150868000000225013", "name": "Ann"},
            "Modified_Time": f"2026-01-{1 + n % 28:02d}T10:00:00+01:00",
        }
        for n in range(RECORDS)
    ]


def timed(label: str, run, repeat: int = 5) -> None:
    """Run `run` a few times and print the best wall time."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<72} {best * 1000:8.1f} ms")


PHONE_INDEX = "select id, Phone, Mobile, Full_Name, Modified_Time from Contacts"
LAST_ID = "4150868000000350000"


def main() -> None:
    """Time typical queries the hook sends, by full scan and through the emulator's ordered indexes."""
    data = {"Contacts": contacts()}
    indexes = build_indexes(data["Contacts"])
    # A floor to read the rest against on a busy machine: one dict lookup per record.
    timed(
        "baseline: plain list comprehension over the records",
        lambda: [r for r in data["Contacts"] if r.get("Phone") == "x"],
    )
    queries = [
        ("coql phone equality (1 match)", "select Last_Name, Phone from Contacts where Phone = '+48600054321'"),
        ("coql Modified_Time range, 2,000 rows, id order",
         "select Last_Name from Contacts where Modified_Time >= '2026-01-20T00:00:00Z' limit 2000"),
        ("coql no where, page 50 of 2,000 (offset 98,000)", "select Last_Name from Contacts limit 2000 offset 98000"),
        ("coql id > last, 2,000 rows", f"select id from Contacts where id > '{LAST_ID}' limit 2000"),
        ("sync: phone index first page",
         f"{PHONE_INDEX} where id is not null order by id asc limit 2000"),
        ("sync: phone index next page",
         f"{PHONE_INDEX} where (id is not null and id > {LAST_ID}) order by id asc limit 2000"),
        ("sync: since watermark (1/28 of rows), first page",
         f"{PHONE_INDEX} where Modified_Time >= '2026-01-28T00:00:00Z' order by id asc limit 2000"),
        ("sync: since watermark (1/28 of rows), next page",
         f"{PHONE_INDEX} where (Modified_Time >= '2026-01-28T00:00:00Z' and id > {LAST_ID}) "
         "order by id asc limit 2000"),
        ("sync: since a watermark no row reached", f"{PHONE_INDEX} where Modified_Time >= '2026-02-01T00:00:00Z' "
         "order by id asc limit 2000"),
    ]
    for label, query in queries:
        timed(f"{label} [scan]", lambda query=query: execute(query, data))
        timed(f"{label} [indexed]", lambda query=query: execute(query, data, indexes=lambda _: indexes))
    predicate = compile_criteria("(Last_Name:equals:Name5432)or(Phone:starts_with:+48600099)")
    timed("criteria scan (2 conditions)", lambda: [r for r in data["Contacts"] if predicate(r)])


if __name__ == "__main__":
    main()
