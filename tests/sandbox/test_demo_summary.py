"""The demo's closing summary: an ambiguous match shows its phone and record ids; credits only where they count."""

from __future__ import annotations

from timelines_zoho_sandbox.demo import _api_line, _issue_lines

AMBIGUOUS = "phone +447700900123 matches 2 Zoho records (5725767000000412001, 5725767000000412009); not merged"


def test_an_ambiguous_match_shows_its_phone_and_record_ids() -> None:
    issues = [{"kind": "contact", "outcome": "ambiguous", "id": "41", "reason": AMBIGUOUS},
              {"kind": "contact", "outcome": "ambiguous", "id": "42",
               "reason": AMBIGUOUS.replace("900123", "900456")}]
    assert _issue_lines(issues) == [f"contact ambiguous: {AMBIGUOUS} (e.g. 41; 1 more like it)"]


def test_credits_are_shown_only_for_the_service_that_counts_them() -> None:
    api = {"timelines calls": 120, "timelines credits": 0, "zoho calls": 340, "zoho credits": 352}
    assert _api_line(api) == "timelines 120 calls, zoho 340 calls (352 credits of the daily budget)"
