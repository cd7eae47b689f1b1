"""The flood benchmark still runs end to end (a small one; the figures come from the full run, not from here)."""

from __future__ import annotations

from timelines_zoho_sandbox.bench.webhook_flood import run


def test_a_small_flood_with_duplicates_loses_nothing_and_stores_each_message_once(tmp_path):
    figures = run(120, 2.0, 0.2, f"sqlite:///{tmp_path / 'flood.db'}", senders=8)
    assert figures["answers"] == {"200": 120}
    assert figures["duplicates"] == 20 and figures["inbox_messages"] == 100 and figures["lost"] == 0
