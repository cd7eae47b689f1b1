"""Zoho CRM search `criteria` for the emulator: `(Field:op:value)` groups joined by and/or, compiled once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from timelines_zoho_sandbox.zoho.matching import (
    Predicate,
    Test,
    as_epoch,
    compare,
    excluding_empty,
    matcher,
    on_field,
)

MAX_LENGTH = 3000
MAX_CONDITIONS = 10
MAX_IN_VALUES = 100
INVALID = "Invalid query formed"

# Zoho folds these characters (and spaces) when matching text, so `sales-team@` finds `sales_team@`.
_FOLDED = str.maketrans("", "", "{}[]^:-/!?*_@ \t\r\n\f\v")
_TEXT_OPERATORS = frozenset({"equals", "not_equal", "starts_with", "in"})
_ALLOWED_BY_TYPE = {
    "text": _TEXT_OPERATORS,
    "textarea": _TEXT_OPERATORS,
    "email": _TEXT_OPERATORS,
    "phone": _TEXT_OPERATORS,
    "website": _TEXT_OPERATORS,
    "picklist": frozenset({"equals", "not_equal", "in"}),
    "boolean": frozenset({"equals", "not_equal"}),
}
_JOINER = re.compile(r"(and|or)(?=\s*\()", re.IGNORECASE)
_RANGES = {"greater_than": ">", "greater_equal": ">=", "less_than": "<", "less_equal": "<="}
_OPERATORS = _TEXT_OPERATORS | set(_RANGES) | {"between"}
# Types whose `equals` is an exact match; every other string field matches like "contains".
_EXACT_TYPES = frozenset(
    {"picklist", "boolean", "integer", "bigint", "double", "currency", "percent", "date", "datetime",
     "lookup", "ownerlookup", "userlookup", "autonumber"}
)


class CriteriaError(Exception):
    """Bad search criteria; `code`, `message` and `details` are what Zoho answers (HTTP 400)."""

    def __init__(self, message: str = INVALID, *, code: str = "INVALID_QUERY", details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {"api_name": "criteria"}


def _invalid(reason: str, api_name: str = "criteria", **extra: str) -> CriteriaError:
    return CriteriaError(details={"api_name": api_name, "reason": reason, **extra})


@lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Case-fold text and drop the characters Zoho's search ignores (cached: stored values repeat)."""
    return text.casefold().translate(_FOLDED)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _split_unescaped(text: str, sep: str) -> list[str]:
    """Split on `sep` where it is not preceded by a backslash escape."""
    parts, start, i = [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == sep:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _equals(literal: str, field_type: str | None) -> Test:
    """Return Zoho's `equals`: "contains" after folding on text, exact (typed) elsewhere."""
    exact = compare("=", literal)
    if field_type in _EXACT_TYPES or as_epoch(literal) is not None:
        return exact
    folded = fold(literal)
    return lambda v: folded in fold(v) if isinstance(v, str) else exact(v)


def _starts_with(literal: str) -> Test:
    folded = fold(literal)
    return lambda v: v is not None and not isinstance(v, dict) and fold(str(v)).startswith(folded)


def _condition(text: str, field_types: Mapping[str, str]) -> Predicate:
    """Compile one `Field:op:value` condition."""
    parts = _split_unescaped(text, ":")
    if len(parts) < 3 or not parts[0].strip() or not parts[1].strip():
        raise _invalid(f"expected Field:operator:value, got {text!r}")
    name, op = parts[0].strip(), parts[1].strip().lower()
    # Colons after the operator belong to the value (`Website:equals:https://x`), escaped or not.
    raw_value = ":".join(parts[2:])
    field_type = field_types.get(name)
    if op not in _OPERATORS or op not in _ALLOWED_BY_TYPE.get(field_type or "", _OPERATORS):
        raise _invalid(f"operator {op!r} is not supported for {name}", name, operator=op)
    values = [_unescape(v) for v in _split_unescaped(raw_value, ",")] if op in ("in", "between") else [
        _unescape(raw_value)
    ]
    if op == "in" and len(values) > MAX_IN_VALUES:
        raise CriteriaError(f'Only {MAX_IN_VALUES} values are allowed in "IN" criteria', details={"api_name": name})
    if op in _RANGES:
        test = compare(_RANGES[op], values[0])
    elif op == "between":
        if len(values) != 2:
            raise _invalid("between takes two values separated by a comma", name, operator=op)
        test = matcher("between", values)
    elif op == "starts_with":
        test = _starts_with(values[0])
    else:
        tests = [_equals(v, field_type) for v in values]
        test = tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
    return on_field(name, excluding_empty(test) if op == "not_equal" else test)


class _Parser:
    """Recursive descent over `(cond)`, `(expr)` and same-operator chains joined by and/or."""

    def __init__(self, text: str, field_types: Mapping[str, str]) -> None:
        self.text = text
        self.i = 0
        self.field_types = field_types
        self.conditions = 0

    def skip_spaces(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def expression(self) -> Predicate:
        groups = [self.group()]
        joiner = None
        while True:
            self.skip_spaces()
            m = _JOINER.match(self.text, self.i)
            if not m:
                break
            word = m.group(0).lower()
            if joiner not in (None, word):
                raise _invalid(f"mixing 'and' and 'or' needs brackets near position {self.i}")
            joiner = word
            self.i = m.end()
            groups.append(self.group())
        if len(groups) == 1:
            return groups[0]
        if joiner == "and":
            return lambda r: all(g(r) for g in groups)
        return lambda r: any(g(r) for g in groups)

    def group(self) -> Predicate:
        self.skip_spaces()
        if self.i >= len(self.text) or self.text[self.i] != "(":
            raise _invalid(f"expected '(' at position {self.i}")
        self.i += 1
        self.skip_spaces()
        if self.i < len(self.text) and self.text[self.i] == "(":
            inner = self.expression()
            self.skip_spaces()
        else:
            inner = self.condition()
        if self.i >= len(self.text) or self.text[self.i] != ")":
            raise _invalid(f"expected ')' at position {self.i}")
        self.i += 1
        return inner

    def condition(self) -> Predicate:
        start = self.i
        while self.i < len(self.text) and self.text[self.i] != ")":
            self.i += 2 if self.text[self.i] == "\\" else 1
        self.i = min(self.i, len(self.text))
        self.conditions += 1
        return _condition(self.text[start : self.i], self.field_types)


def compile_criteria(
    text: str, field_types: Mapping[str, str] | None = None, *, max_conditions: int = MAX_CONDITIONS
) -> Predicate:
    """Compile search criteria into a record predicate; `field_types` maps API names to Zoho data types."""
    if not text or not text.strip():
        raise _invalid("criteria is empty")
    if len(text) > MAX_LENGTH:
        raise _invalid(f"criteria is longer than {MAX_LENGTH} characters")
    parser = _Parser(text, field_types or {})
    predicate = parser.expression()
    parser.skip_spaces()
    if parser.i != len(text):
        raise _invalid(f"unexpected text at position {parser.i}: {text[parser.i : parser.i + 20]!r}")
    if parser.conditions > max_conditions:
        raise CriteriaError(
            f"no of criterium that can be given exceed the limit {max_conditions}",
            code="CRITERIA_LIMIT_EXCEEDED",
            details={},
        )
    return predicate
