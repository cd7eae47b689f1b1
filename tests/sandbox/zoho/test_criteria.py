"""The emulator's search `criteria` compiler: Zoho's syntax, escapes, fuzzy equals and errors."""

from __future__ import annotations

from typing import Any

import pytest

from timelines_zoho_sandbox.zoho.criteria import CriteriaError, compile_criteria

RECORDS: list[dict[str, Any]] = [
    {"id": "1", "Last_Name": "Smith", "Phone": "+48 600-100-200", "Email": "a@b.c", "Lead_Source": "Web"},
    {"id": "2", "Last_Name": "Goldsmith", "Phone": "+1 555 0100", "Email": "sales_team@x.com",
     "Lead_Source": "Web Form"},
    {"id": "3", "Last_Name": "Burns,B", "Phone": None, "Email": "x@y.z", "Score": 7,
     "Owner": {"id": "99", "name": "Ann"}, "Modified_Time": "2026-01-02T10:00:00+01:00"},
    {"id": "4", "Last_Name": "Done (old)", "Phone": "+48 700 000 000", "Email": "", "Score": 12,
     "Modified_Time": "2026-01-05T10:00:00+00:00"},
]


def matching(criteria: str, field_types: dict[str, str] | None = None) -> list[str]:
    predicate = compile_criteria(criteria, field_types)
    return [record["id"] for record in RECORDS if predicate(record)]


def test_documented_example_with_nested_or():
    assert matching("(Last_Name:equals:Smith)and((Phone:starts_with:+48)or(Email:equals:a@b.c))") == ["1"]


def test_equals_on_text_behaves_like_case_insensitive_contains():
    assert matching("(Last_Name:equals:SMITH)") == ["1", "2"]


def test_equals_on_phone_matches_part_of_the_stored_number():
    assert matching("(Phone:equals:600-100)") == ["1"]


def test_equals_folds_special_characters_like_zoho():
    assert matching("(Email:equals:sales-team@x.com)") == ["2"]


def test_equals_on_picklist_is_exact_when_the_type_is_known():
    assert matching("(Lead_Source:equals:web)", {"Lead_Source": "picklist"}) == ["1"]
    assert matching("(Lead_Source:equals:web)") == ["1", "2"]


def test_backslash_escapes_parentheses_commas_and_colons_in_values():
    assert matching(r"(Last_Name:equals:Burns\,B)") == ["3"]
    assert matching(r"(Last_Name:equals:Done \(old\))") == ["4"]
    assert matching(r"(Last_Name:in:Burns\,B,Done \(old\))") == ["3", "4"]
    assert matching(r"(Email:equals:a@b.c\:x)") == []


def test_in_not_equal_and_ranges():
    assert matching("(Last_Name:in:Smith,Burns)") == ["1", "2", "3"]
    assert matching("(Email:not_equal:x@y.z)") == ["1", "2"]
    assert matching("(Score:greater_than:7)") == ["4"]
    assert matching("(Score:greater_equal:7)") == ["3", "4"]
    assert matching("(Score:between:8,20)") == ["4"]
    assert matching("(Modified_Time:less_than:2026-01-02T09:30:00Z)") == ["3"]


def test_lookup_compares_by_id_and_dotted_paths_read_inside():
    assert matching("(Owner:equals:99)") == ["3"]
    assert matching("(Owner.name:starts_with:an)") == ["3"]


def test_chains_of_one_operator_need_no_extra_brackets():
    assert matching("(Score:equals:7)or(Score:equals:12)or(Last_Name:equals:Goldsmith)") == ["2", "3", "4"]
    assert matching("((Score:equals:7) and (Phone:starts_with:+1))") == []


@pytest.mark.parametrize(
    ("criteria", "reason_part"),
    [
        ("Last_Name:equals:Smith", "expected '('"),
        ("(Last_Name:equals:Smith", "expected ')'"),
        ("(Last_Name)", "Field:operator:value"),
        ("(Last_Name:contains:Smith)", "not supported"),
        ("(Score:equals:7)and(Score:equals:1)or(Score:equals:12)", "mixing"),
        ("(Score:between:7)", "two values"),
        ("(Score:equals:7) trailing", "unexpected text"),
        ("", "empty"),
    ],
)
def test_bad_syntax_raises_invalid_query_with_a_readable_reason(criteria, reason_part):
    with pytest.raises(CriteriaError) as caught:
        compile_criteria(criteria)
    assert caught.value.code == "INVALID_QUERY"
    assert caught.value.message == "Invalid query formed"
    assert reason_part in caught.value.details["reason"]


def test_operator_not_allowed_for_the_field_type():
    with pytest.raises(CriteriaError) as caught:
        compile_criteria("(Lead_Source:starts_with:We)", {"Lead_Source": "picklist"})
    assert caught.value.details["operator"] == "starts_with"
    assert caught.value.details["api_name"] == "Lead_Source"


def test_more_than_ten_conditions_exceed_the_limit():
    criteria = "or".join(f"(Score:equals:{n})" for n in range(11))
    with pytest.raises(CriteriaError) as caught:
        compile_criteria(criteria)
    assert caught.value.code == "CRITERIA_LIMIT_EXCEEDED"
    assert compile_criteria(criteria, max_conditions=15)({"Score": 10}) is True


def test_in_is_capped_at_100_values():
    values = ",".join(str(n) for n in range(101))
    with pytest.raises(CriteriaError, match="Only 100 values"):
        compile_criteria(f"(Score:in:{values})")


def test_criteria_longer_than_3000_characters_is_rejected():
    with pytest.raises(CriteriaError):
        compile_criteria("(Last_Name:equals:" + "x" * 3000 + ")")
