"""Benchmark the transform: 1,000,000 synthetic messages (50,000 chats, 30 days) into note bundles.

Run: `.venv/bin/python tests/benchmarks/bench_transform.py [messages] [chats]`. Prints msgs/s and peak RSS.
Target on the 2-core dev machine: ≤ 5 s and ≤ 1 GiB for 1M messages. No emulator: data is generated in memory.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from timelines_zoho.transform import build_contacts, build_note_bundles

DAYS = 30
START = pd.Timestamp("2026-03-10", tz="Europe/Warsaw")  # the span crosses the spring-forward day


def synthetic_chats(chats: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ChatInfo and account frames for `chats` direct chats on three WhatsApp accounts."""
    ids = np.arange(1, chats + 1)
    accounts = pd.DataFrame(
        {
            "id": [f"4860000000{n}@s.whatsapp.net" for n in range(3)],
            "owner_email": [f"o{n}@x.io" for n in range(3)],
        }
    )
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": [f"Customer {n}" for n in ids],
            "phone": [f"+48601{n:06d}" for n in ids],
            "jid": [f"48601{n:06d}@s.whatsapp.net" for n in ids],
            "is_group": False,
            "whatsapp_account_id": accounts["id"].to_numpy()[ids % 3],
            "chat_url": [f"/chat/{n}/messages/" for n in ids],
            "last_message_timestamp": "2026-04-08 10:00:00 +0200",
        }
    )
    return frame, accounts


def synthetic_messages(count: int, chats: int, seed: int = 7) -> pd.DataFrame:
    """Return `count` MessageInfo rows spread over `chats` chats and DAYS days, in random order."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, DAYS * 86_400, count)
    instants = pd.DatetimeIndex(START + pd.to_timedelta(seconds, unit="s")).tz_convert("Europe/Warsaw")
    # strftime on a million zoned instants takes minutes; numpy formats the wall clock, the offset is looked up.
    wall = instants.tz_localize(None).to_numpy().astype("datetime64[s]")
    offset_minutes = (
        (wall - instants.tz_convert("UTC").tz_localize(None).to_numpy()).astype("timedelta64[m]").astype(int)
    )
    offsets = np.array(
        [f" {'+' if m >= 0 else '-'}{abs(m) // 60:02d}{abs(m) % 60:02d}" for m in range(-720, 841)]
    )
    stamps = np.char.add(
        np.char.replace(np.datetime_as_string(wall, unit="s"), "T", " "), offsets[offset_minutes + 720]
    )
    words = np.array(["hello", "price?", "see you at 10", "ok 👍", "thanks!", "sending the invoice now"])
    has_file = rng.random(count) < 0.05
    return pd.DataFrame(
        {
            "uid": [f"{n:08x}-0000-4000-8000-000000000000" for n in rng.permutation(count)],
            "chat_id": rng.integers(1, chats + 1, count),
            "timestamp": stamps.astype(object),
            "sender_name": np.where(rng.random(count) < 0.5, "Agent Kate", "Customer"),
            "sender_phone": "+48601000001",
            "from_me": rng.random(count) < 0.5,
            "text": words[rng.integers(0, len(words), count)],
            "message_type": "whatsapp",
            "has_attachment": has_file,
            "attachment_filename": np.where(has_file, "invoice.pdf", None),
            "attachment_url": np.where(has_file, "https://files.example/x", None),
        }
    )


def _reference_loop() -> float:
    """Return the CPU seconds of a fixed pure-Python loop, to compare figures across loaded machines."""
    started = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.process_time() - started


def main() -> None:
    """Generate the data, time the transform, print figures."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    chats = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    chat_frame, accounts = synthetic_chats(chats)
    messages = synthetic_messages(count, chats)
    input_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reference = _reference_loop()
    started, cpu = time.perf_counter(), time.process_time()
    contacts, _ = build_contacts(chat_frame, accounts)
    contacts_wall, contacts_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    bundles, rejected = build_note_bundles(messages, contacts, timezone="Europe/Warsaw")
    bundle_wall, bundle_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # CPU time is printed beside wall time: on a shared machine the wall clock includes other people's load.
    print(f"contacts: {len(contacts):,} chats in {contacts_wall:.2f} s wall, {contacts_cpu:.2f} s CPU")
    print(
        f"bundles:  {count:,} messages -> {len(bundles):,} bundles in {bundle_wall:.2f} s wall, {bundle_cpu:.2f} s CPU"
    )
    print(
        f"          {count / bundle_wall:,.0f} msgs/s wall, {count / bundle_cpu:,.0f} msgs/s CPU, {len(rejected)} rejected"
    )
    print(
        f"peak RSS: {peak_mib:,.0f} MiB, of which {input_mib:,.0f} MiB before the transform (generated input)"
    )
    print(f"machine:  a 10M-iteration Python loop took {reference:.2f} s CPU (about 0.4 s on an idle core)")


if __name__ == "__main__":
    main()
