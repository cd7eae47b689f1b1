"""Print how fast the emulator's COQL and criteria engines are on 100,000 Contacts."""

from __future__ import annotations

import time

from timelines_zoho.sandbox.zoho.coql import execute
from timelines_zoho.sandbox.zoho.criteria import compile_criteria

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
    print(f"{label:<60} {best * 1000:8.1f} ms")


def main() -> None:
    """Time typical queries the hook sends."""
    data = {"Contacts": contacts()}
    # A floor to read the rest against on a busy machine: one dict lookup per record.
    timed(
        "baseline: plain list comprehension over the records",
        lambda: [r for r in data["Contacts"] if r.get("Phone") == "x"],
    )
    timed(
        "coql phone equality (1 match)",
        lambda: execute("select Last_Name, Phone from Contacts where Phone = '+48600054321'", data),
    )
    timed(
        "coql Modified_Time range, 2,000 rows, id order",
        lambda: execute(
            "select Last_Name from Contacts where Modified_Time >= '2026-01-20T00:00:00Z' limit 2000", data
        ),
    )
    timed(
        "coql no where, page 50 of 2,000 (offset 98,000)",
        lambda: execute("select Last_Name from Contacts limit 2000 offset 98000", data),
    )
    timed(
        "coql id > last, 2,000 rows",
        lambda: execute("select id from Contacts where id > '4150868000000350000' limit 2000", data),
    )
    predicate = compile_criteria("(Last_Name:equals:Name5432)or(Phone:starts_with:+48600099)")
    timed("criteria scan (2 conditions)", lambda: [r for r in data["Contacts"] if predicate(r)])


if __name__ == "__main__":
    main()
