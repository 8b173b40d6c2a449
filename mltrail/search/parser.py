"""Recursive-descent parser: filter strings and order-by clauses -> typed AST, checked by a spec.

Grammar (keywords are case-insensitive; AND binds tighter than OR)::

    filter     := or_expr END
    or_expr    := and_expr ("OR" and_expr)*
    and_expr   := primary ("AND" primary)*
    primary    := "(" or_expr ")" | comparison
    comparison := identifier operator [value]
    order_by   := identifier ["ASC" | "DESC"] END
"""

from __future__ import annotations

from collections.abc import Sequence

from mltrail.errors import InvalidParameter
from mltrail.search.ast import And, Comparison, Entity, Expr, Op, Or, OrderBy, Value
from mltrail.search.lexer import Kind, Token, TokenStream, syntax_error
from mltrail.search.specs import (
    ENTITY_NAMES,
    EXPERIMENTS,
    LIST_OPS,
    NULL_OPS,
    PREFIXES,
    RUNS,
    EntityRule,
    Field,
    SearchSpec,
    ValueKind,
)

_LITERALS = (Kind.STRING, Kind.NUMBER, Kind.WORD, Kind.BACKTICK)


def parse_filter(text: str | None, spec: SearchSpec) -> Expr | None:
    """Parse a filter string; None or a blank string means "no filter"."""
    if text is None or not text.strip():
        return None
    return _FilterParser(text, spec).parse()


def parse_order_by(clauses: Sequence[str] | None, spec: SearchSpec) -> tuple[OrderBy, ...]:
    """Parse order-by clauses such as ``"metrics.acc DESC"``; a field may appear only once."""
    terms = tuple(_order_term(clause, spec) for clause in clauses or ())
    if len({(term.entity, term.key) for term in terms}) < len(terms):
        raise InvalidParameter(f"`order_by` contains duplicate fields: {list(clauses or ())}")
    return terms


def parse_run_filter(text: str | None) -> Expr | None:
    return parse_filter(text, RUNS)


def parse_run_order_by(clauses: Sequence[str] | None) -> tuple[OrderBy, ...]:
    return parse_order_by(clauses, RUNS)


def parse_experiment_filter(text: str | None) -> Expr | None:
    return parse_filter(text, EXPERIMENTS)


def parse_experiment_order_by(clauses: Sequence[str] | None) -> tuple[OrderBy, ...]:
    return parse_order_by(clauses, EXPERIMENTS)


def _resolve(spec: SearchSpec, prefix: str | None) -> tuple[Entity, EntityRule]:
    entity = Entity.ATTRIBUTE if prefix is None else PREFIXES.get(prefix.lower())
    if entity is None or entity not in spec.rules:
        valid = [ENTITY_NAMES[e] for e in spec.rules]
        raise InvalidParameter(f"Invalid entity type '{prefix}'. Valid values are {valid}")
    return entity, spec.rules[entity]


def _quoted_set(items: Sequence[str]) -> str:
    return "{" + ", ".join(f"'{item}'" for item in items) + "}"


def _unknown_key(entity: Entity, key: str, valid: Sequence[str]) -> InvalidParameter:
    return InvalidParameter(
        f"Invalid {ENTITY_NAMES[entity]} key '{key}' specified. "
        f"Valid keys are '{_quoted_set(sorted(valid))}'"
    )


class _FilterParser:
    def __init__(self, text: str, spec: SearchSpec) -> None:
        self.spec = spec
        self.stream = TokenStream(
            text, lambda token, problem: syntax_error(text, token.start, problem)
        )

    def parse(self) -> Expr:
        expr = self._or()
        token = self.stream.peek()
        if token.kind is not Kind.END:
            found = self.stream.source(token)
            raise self.stream.fail(token, f"expected AND, OR or the end, found {found}")
        return expr

    def _or(self) -> Expr:
        items = [self._and()]
        while self.stream.peek().upper == "OR":
            self.stream.advance()
            items.append(self._and())
        return _join(Or, items)

    def _and(self) -> Expr:
        items = [self._primary()]
        while self.stream.peek().upper == "AND":
            self.stream.advance()
            items.append(self._primary())
        return _join(And, items)

    def _primary(self) -> Expr:
        if self.stream.peek().kind is not Kind.LPAREN:
            return self._comparison()
        self.stream.advance()
        expr = self._or()
        closing = self.stream.advance()
        if closing.kind is not Kind.RPAREN:
            raise self.stream.fail(closing, f"expected ')', found {self.stream.source(closing)}")
        return expr

    def _comparison(self) -> Comparison:
        prefix, written_key = self.stream.identifier()
        entity, rule = _resolve(self.spec, prefix)
        key = rule.aliases.get(written_key, written_key)
        field = self._field(entity, rule, key, written_key)
        op = self._operator(entity, key, field)
        return Comparison(entity, key, op, self._value(op, entity, key, field))

    def _field(self, entity: Entity, rule: EntityRule, key: str, written: str) -> Field:
        if isinstance(rule.keys, Field):
            return rule.keys
        field = rule.keys.get(key)
        if field is None:
            raise _unknown_key(entity, written, [*rule.keys, *rule.aliases])
        return field

    def _operator(self, entity: Entity, key: str, field: Field) -> Op:
        token = self.stream.advance()
        written = self._operator_text(token)
        op = _op_named(written)
        if op is not None and op in field.ops:
            return op
        if op in NULL_OPS:
            raise InvalidParameter(
                f"IS NULL / IS NOT NULL is only supported for {self._entities_with(NULL_OPS)}, "
                f"not for '{ENTITY_NAMES[entity]}' '{key}'"
            )
        if op in LIST_OPS and entity is Entity.ATTRIBUTE:
            listable = self._keys_with(entity, LIST_OPS)
            raise InvalidParameter(
                f"Only {listable} attributes support comparison "
                "with a list of quoted string values."
            )
        allowed = _quoted_set([o.value for o in Op if o in field.ops])
        raise InvalidParameter(
            f"Invalid comparator '{written}' not one of '{allowed}' "
            f"for {ENTITY_NAMES[entity]} '{key}'"
        )

    def _operator_text(self, token: Token) -> str:
        if token.kind is Kind.OP:
            return token.text
        if token.upper == "NOT" or token.upper == "IS":
            words = [token.upper]
            if self.stream.peek().upper == "NOT" and token.upper == "IS":
                words.append(self.stream.advance().upper)
            following = self.stream.advance()
            if following.kind is not Kind.WORD:
                found = self.stream.source(following)
                raise self.stream.fail(following, f"expected NULL or IN, found {found}")
            return " ".join([*words, following.upper])
        if token.upper:
            return token.upper
        found = self.stream.source(token)
        raise self.stream.fail(token, f"expected a comparison operator, found {found}")

    def _value(self, op: Op, entity: Entity, key: str, field: Field) -> Value:
        if op in NULL_OPS:
            return None
        if op in LIST_OPS:
            return self._string_list()
        token = self.stream.advance()
        written = self.stream.source(token)
        if token.kind not in _LITERALS:
            raise self.stream.fail(token, f"expected a value after '{op}', found {written}")
        if field.kind is ValueKind.NUMBER:
            if token.kind is Kind.NUMBER:
                return _number(token.text)
            what = "metric" if entity is Entity.METRIC else f"numeric attribute: {key}"
            raise InvalidParameter(f"Expected numeric value type for {what}. Found {written}")
        if token.kind is Kind.STRING:
            return token.text
        name = ENTITY_NAMES[entity]
        if token.kind is Kind.WORD:
            raise InvalidParameter(
                f"{name.capitalize()} value is either not quoted or unidentified quote types "
                f"used for string value {written}. Use either single or double quotes."
            )
        raise InvalidParameter(
            f"Expected a quoted string value for {name} (e.g. 'my-value'). Got value {written}"
        )

    def _string_list(self) -> tuple[str, ...]:
        opening = self.stream.advance()
        if opening.kind is not Kind.LPAREN:
            found = self.stream.source(opening)
            raise self.stream.fail(opening, f"expected '(' to open a list, found {found}")
        values: list[str] = []
        while self.stream.peek().kind is not Kind.RPAREN:
            token = self.stream.advance()
            if token.kind is not Kind.STRING:
                raise InvalidParameter(
                    "While parsing a list in the query, expected a list of quoted string values, "
                    f"but got {self.stream.source(token)}"
                )
            values.append(token.text)
            separator = self.stream.peek()
            if separator.kind is Kind.COMMA:
                self.stream.advance()
            elif separator.kind is not Kind.RPAREN:
                found = self.stream.source(separator)
                raise self.stream.fail(separator, f"expected ',' or ')', found {found}")
        self.stream.advance()
        if not values:
            raise InvalidParameter(
                "While parsing a list in the query, expected a non-empty list of string values, "
                "but got empty list"
            )
        return tuple(values)

    def _entities_with(self, ops: frozenset[Op]) -> str:
        names = [ENTITY_NAMES[e] for e, rule in self.spec.rules.items() if _allows(rule, ops)]
        return " and ".join(names) or "no entity"

    def _keys_with(self, entity: Entity, ops: frozenset[Op]) -> list[str]:
        keys = self.spec.rules[entity].keys
        if isinstance(keys, Field):
            return []
        return sorted(key for key, field in keys.items() if ops & field.ops)


def _allows(rule: EntityRule, ops: frozenset[Op]) -> bool:
    fields = [rule.keys] if isinstance(rule.keys, Field) else list(rule.keys.values())
    return any(ops & field.ops for field in fields)


def _op_named(written: str) -> Op | None:
    try:
        return Op(written)
    except ValueError:
        return None


def _number(text: str) -> int | float:
    stripped = text.lstrip("+-")
    return int(text) if stripped.isdigit() else float(text)


def _join(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    """Combine items with AND/OR, flattening nested groups of the same kind."""
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _order_term(clause: str, spec: SearchSpec) -> OrderBy:
    def unparsable(_token: Token | None = None, _problem: str = "") -> InvalidParameter:
        return InvalidParameter(f"Invalid order_by clause '{clause}'. Could not be parsed.")

    try:
        stream = TokenStream(clause, unparsable)
    except InvalidParameter:
        raise unparsable() from None
    prefix, written_key = stream.identifier()
    token = stream.advance()
    ascending = True
    if token.kind is Kind.WORD:
        if token.upper not in ("ASC", "DESC"):
            raise InvalidParameter(f"Invalid ordering key in order_by clause '{clause}'.")
        ascending = token.upper == "ASC"
        token = stream.advance()
    if token.kind is not Kind.END:
        raise unparsable()
    entity, rule = _resolve(spec, prefix)
    key = rule.aliases.get(written_key, written_key)
    if rule.order_keys is False:
        raise InvalidParameter(
            f"Invalid order_by entity '{ENTITY_NAMES[entity]}' in order_by clause '{clause}'"
        )
    if isinstance(rule.order_keys, frozenset) and key not in rule.order_keys:
        aliases = [alias for alias, target in rule.aliases.items() if target in rule.order_keys]
        raise _unknown_key(entity, written_key, [*rule.order_keys, *aliases])
    return OrderBy(entity, key, ascending)
