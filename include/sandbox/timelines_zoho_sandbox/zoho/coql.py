"""Zoho CRM COQL subset for the emulator: parse a SELECT, compile its WHERE once, run it over records."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from timelines_zoho_sandbox.zoho.coql_index import Bound, OrderedIndex, plan
from timelines_zoho_sandbox.zoho.matching import (
    Predicate,
    excluding_empty,
    field_getter,
    is_empty,
    matcher,
    on_field,
    projector,
    sort_key,
)

MAX_ROWS_PER_CALL = 2000
DEFAULT_LIMIT = 200
MAX_ROWS_BY_OFFSET = 100_000
MAX_CRITERIA = 25
MAX_IN_VALUES = 100
MAX_COLUMNS = 500
MAX_ORDER_FIELDS = 10

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.|'')*')
    | (?P<num>-?\d+(?:\.\d+)?(?![\w.]))
    | (?P<word>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)
    | (?P<op>!=|<>|<=|>=|=|<|>)
    | (?P<punct>[(),;])
    )""",
    re.VERBOSE,
)
_KEYWORDS = frozenset(
    "select from where order by asc desc limit offset and or not in like is null between true false".split()
)
_COMPARATORS = {"=", "!=", "<>", "<", ">", "<=", ">="}


class CoqlError(Exception):
    """A COQL failure carrying Zoho's error code, message and details."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message} {details or {}}")
        self.code = code
        self.message = message
        self.details = details or {}


@dataclass(frozen=True)
class Token:
    """One lexical token; `kind` is str, num, word, op, punct or end."""

    kind: str
    value: Any
    pos: int
    text: str

    def is_kw(self, *words: str) -> bool:
        """Tell whether this token is one of the given (lower-case) keywords."""
        return self.kind == "word" and self.value.lower() in words


@dataclass
class Query:
    """A parsed COQL SELECT."""

    columns: list[str]
    module: str
    where: Predicate | None
    order_by: list[tuple[str, bool]] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    criteria_fields: list[str] = field(default_factory=list)
    bounds: list[Bound] = field(default_factory=list)  # ranges every matching row lies in, for the planner


def _unquote(text: str) -> str:
    """Decode a single-quoted literal: `''` and backslash escapes both stand for the next character."""
    return re.sub(r"''|\\(.)", lambda m: m.group(1) if m.group(1) is not None else "'", text[1:-1])


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens, or raise SYNTAX_ERROR at the first character that starts none."""
    tokens: list[Token] = []
    pos = 0
    while True:
        while pos < len(query) and query[pos].isspace():
            pos += 1
        if pos == len(query):
            tokens.append(Token("end", None, pos, ""))
            return tokens
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise _syntax_error(query, pos, query[pos:].split(None, 1)[0][:30])
        kind = m.lastgroup or ""
        text = m.group(kind)
        value: Any = text
        if kind == "str":
            value = _unquote(text)
        elif kind == "num":
            value = float(text) if "." in text else int(text)
        tokens.append(Token(kind, value, m.start(kind), text))
        pos = m.end()


def _syntax_error(query: str, pos: int, near: str) -> CoqlError:
    """Build SYNTAX_ERROR with Zoho's line/column/near details for a position in the query."""
    line = query.count("\n", 0, pos) + 1
    column = pos - (query.rfind("\n", 0, pos) + 1) + 1
    return CoqlError("SYNTAX_ERROR", "unexpected token", {"line": line, "column": column, "near": near or "end"})


class _Parser:
    """Recursive-descent parser for the supported COQL subset."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.criteria: list[str] = []

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def fail(self, tok: Token | None = None) -> CoqlError:
        tok = tok or self.tok
        return _syntax_error(self.query, tok.pos, tok.text)

    def expect_kw(self, word: str) -> None:
        if not self.tok.is_kw(word):
            raise self.fail()
        self.advance()

    def name(self) -> str:
        """Read a field or module name (a word that is not a keyword)."""
        tok = self.tok
        if tok.kind != "word" or tok.value.lower() in _KEYWORDS:
            raise self.fail()
        self.advance()
        return tok.value

    def parse(self) -> Query:
        if not self.tok.is_kw("select"):
            raise CoqlError("SYNTAX_ERROR", "missing clause", {"clause": "select"})
        self.advance()
        columns = [self.name()]
        while self.tok.text == ",":
            self.advance()
            columns.append(self.name())
        if not self.tok.is_kw("from"):
            raise CoqlError("SYNTAX_ERROR", "missing clause", {"clause": "from"})
        self.advance()
        query = Query(columns=columns, module=self.name(), where=None)
        if self.tok.is_kw("where"):
            self.advance()
            query.where, query.bounds = self.condition()
            query.criteria_fields = self.criteria
        if self.tok.is_kw("order"):
            self.advance()
            self.expect_kw("by")
            query.order_by = [self.order_item()]
            while self.tok.text == ",":
                self.advance()
                query.order_by.append(self.order_item())
        if self.tok.is_kw("limit"):
            self.advance()
            self.limit(query)
        if self.tok.text == ";":
            self.advance()
        if self.tok.kind != "end":
            raise self.fail()
        return query

    def order_item(self) -> tuple[str, bool]:
        name = self.name()
        descending = False
        if self.tok.is_kw("asc", "desc"):
            descending = self.advance().value.lower() == "desc"
        return name, descending

    def count(self, what: str) -> int:
        tok = self.advance()
        if tok.kind != "num" or not isinstance(tok.value, int) or tok.value < 0:
            raise CoqlError("INVALID_QUERY", f"{what} given seems to be invalid", {what: tok.text or "end"})
        return tok.value

    def limit(self, query: Query) -> None:
        first = self.count("limit")
        if self.tok.text == ",":
            self.advance()
            query.offset, query.limit = first, self.count("limit")
        else:
            query.limit = first
            if self.tok.is_kw("offset"):
                self.advance()
                query.offset = self.count("offset")
        if query.limit == 0:
            raise CoqlError("INVALID_QUERY", "limit given seems to be invalid", {"limit": "0"})

    def condition(self) -> tuple[Predicate, list[Bound]]:
        """Parse `operand [and|or operand]` into a predicate and the ranges it implies (an AND's both sides')."""
        left, left_bounds = self.operand()
        if not self.tok.is_kw("and", "or"):
            return left, left_bounds
        joiner = self.advance().value.lower()
        right, right_bounds = self.operand()
        if self.tok.is_kw("and", "or"):
            # Zoho requires criteria to be bracketed pairwise: ((A and B) and C).
            raise self.fail()
        if joiner == "and":
            return (lambda r: left(r) and right(r)), left_bounds + right_bounds
        return (lambda r: left(r) or right(r)), []

    def operand(self) -> tuple[Predicate, list[Bound]]:
        if self.tok.text == "(":
            self.advance()
            inner = self.condition()
            if self.tok.text != ")":
                raise self.fail()
            self.advance()
            return inner
        return self.comparison()

    def literal(self) -> Any:
        tok = self.advance()
        if tok.kind in ("str", "num"):
            return tok.value
        if tok.is_kw("true", "false"):
            return tok.value.lower() == "true"
        raise self.fail(tok)

    def comparison(self) -> tuple[Predicate, list[Bound]]:
        column = self.name()
        self.criteria.append(column)
        negate = False
        if self.tok.is_kw("is"):
            self.advance()
            negate = self.tok.is_kw("not")
            if negate:
                self.advance()
            self.expect_kw("null")
            return on_field(column, (lambda v: not is_empty(v)) if negate else is_empty), []
        if self.tok.is_kw("not"):
            self.advance()
            negate = True
            if not self.tok.is_kw("in", "like", "between"):
                raise self.fail()
        op = self.advance()
        bounds: list[Bound] = []
        if op.kind == "op" and not negate:
            literal = self.literal()
            test = matcher("!=" if op.value == "<>" else op.value, [literal])
            ops = {"=": (">=", "<="), "<": ("<",), "<=": ("<=",), ">": (">",), ">=": (">=",)}.get(op.value, ())
            bounds = [Bound(column, side, literal) for side in ops]
        elif op.is_kw("in"):
            test = matcher("in", self.value_list(column))
        elif op.is_kw("like"):
            pattern = self.advance()
            if pattern.kind != "str":
                raise self.fail(pattern)
            test = matcher("like", [pattern.value])
        elif op.is_kw("between"):
            low = self.literal()
            self.expect_kw("and")
            high = self.literal()
            test = matcher("between", [low, high])
            bounds = [] if negate else [Bound(column, ">=", low), Bound(column, "<=", high)]
        else:
            raise CoqlError(
                "INVALID_QUERY", "Invalid query formed",
                {"column_name": column, "operator": op.text, "reason": "invalid operator found"},
            )
        return on_field(column, excluding_empty(test) if negate else test), bounds

    def value_list(self, column: str) -> list[Any]:
        if self.advance().text != "(":
            raise self.fail(self.tokens[self.i - 1])
        values = [self.literal()]
        while self.tok.text == ",":
            self.advance()
            values.append(self.literal())
        if self.advance().text != ")":
            raise self.fail(self.tokens[self.i - 1])
        if len(values) > MAX_IN_VALUES:
            raise CoqlError(
                "INVALID_QUERY", f"Only {MAX_IN_VALUES} values are allowed in \"IN\" criteria",
                {"column_name": column, "operator": "in", "reason": "too many values"},
            )
        return values


def parse(query: str) -> Query:
    """Parse and check a COQL query against Zoho's per-call limits."""
    parsed = _Parser(query).parse()
    _check_limits(parsed)
    return parsed


def _check_limits(query: Query) -> None:
    """Raise Zoho's error for a query over a documented limit or repeating a column."""
    for clause, names in (("select", query.columns), ("order by", [name for name, _ in query.order_by])):
        seen: set[str] = set()
        for name in names:
            if name.lower() in seen:
                raise CoqlError("DUPLICATE_DATA", f"duplicate {clause} column", {"column_name": name})
            seen.add(name.lower())
    limits = (
        ("select", len(query.columns), MAX_COLUMNS),
        ("order by", len(query.order_by), MAX_ORDER_FIELDS),
        ("where", len(query.criteria_fields), MAX_CRITERIA),
        ("limit", query.limit, MAX_ROWS_PER_CALL),
        ("offset", query.offset + query.limit, MAX_ROWS_BY_OFFSET),
    )
    for clause, value, limit in limits:
        if value > limit:
            raise CoqlError("LIMIT_EXCEEDED", f"{clause} exceeds the limit {limit}", {"by": clause, "limit": limit})


def _resolve_module(name: str, modules: Collection[str]) -> str:
    """Find the module by API name, ignoring case as Zoho does, or raise INVALID_MODULE."""
    for module in modules:
        if module.lower() == name.lower():
            return module
    raise CoqlError("INVALID_MODULE", "the given module is not supported in api", {"module": name})


def _check_columns(query: Query, known: Collection[str]) -> None:
    """Raise INVALID_QUERY for a column the module does not have."""
    known_set = set(known) | {"id"}
    clauses = (
        ("select", query.columns),
        ("where", query.criteria_fields),
        ("order by", [name for name, _ in query.order_by]),
    )
    for clause, names in clauses:
        for name in names:
            if name.split(".", 1)[0] not in known_set:
                raise CoqlError(
                    "INVALID_QUERY", "column given seems to be invalid", {"column_name": name, "clause": clause}
                )


def execute(
    query: str,
    records_by_module: Mapping[str, list[dict[str, Any]]],
    *,
    fields_by_module: Mapping[str, Collection[str]] | None = None,
    indexes: Callable[[str], Mapping[str, OrderedIndex]] | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """Run a COQL query and return (rows, more_records); columns are checked when field names are given.

    `indexes(module)` gives a module's ordered indexes by field, so queries in id order and ranges skip the scan.
    """
    parsed = parse(query)
    module = _resolve_module(parsed.module, records_by_module.keys())
    if fields_by_module is not None and module in fields_by_module:
        _check_columns(parsed, fields_by_module[module])
    where = parsed.where
    order = parsed.order_by or [("id", False)]
    planned = None
    if indexes is not None:
        planned = plan(where, parsed.bounds, order, parsed.offset, parsed.limit + 1, indexes(module))
    if planned is None:
        records = records_by_module[module]
        planned = (records if where is None else [r for r in records if where(r)]), False
    matched, paged = planned
    if not paged:
        # Stable sorts from the last key to the first give a multi-key order with mixed directions.
        for name, descending in reversed(order):
            get = field_getter(name)
            matched = sorted(matched, key=lambda r, get=get: sort_key(get(r)), reverse=descending)
        matched = matched[parsed.offset :]
    rows = list(map(projector(parsed.columns), matched[: parsed.limit]))
    return rows, len(matched) > parsed.limit
