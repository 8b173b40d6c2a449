"""Splits a filter or order-by clause into tokens and walks them; the grammar lives in `parser`.

Quoting follows SQL: a quote character inside a literal is written twice (``'it''s'``);
backslashes are kept as written so that LIKE patterns can escape ``%`` and ``_``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from mltrail.errors import InvalidParameter


class Kind(enum.Enum):
    WORD = "word"  # identifiers and keywords: metrics.acc, AND, LIKE, ...
    STRING = "string"  # 'single' or "double" quoted
    BACKTICK = "backtick"  # `quoted identifier`
    NUMBER = "number"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end of input"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # the content, with quotes removed for quoted tokens
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind is Kind.WORD else ""


_PLAIN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])
    | (?P<word>[^\W\d][\w.\-/:]*)
    | (?P<op>!=|<>|==|<=|>=|=|<|>)
    | (?P<lparen>\() | (?P<rparen>\)) | (?P<comma>,)
    """,
    re.VERBOSE,
)
_KINDS = {
    "number": Kind.NUMBER,
    "word": Kind.WORD,
    "op": Kind.OP,
    "lparen": Kind.LPAREN,
    "rparen": Kind.RPAREN,
    "comma": Kind.COMMA,
}


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`, ending with an END token; raises InvalidParameter on a bad character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos] in "'\"`":
            token = _quoted(text, pos)
        else:
            match = _PLAIN.match(text, pos)
            if match is None or match.lastgroup is None:
                raise syntax_error(text, pos, f"unexpected character {text[pos]!r}")
            if match.lastgroup == "space":
                pos = match.end()
                continue
            kind = _KINDS[match.lastgroup]
            token = Token(kind, match.group(), match.start(), match.end())
        tokens.append(token)
        pos = token.end
    tokens.append(Token(Kind.END, "", len(text), len(text)))
    return tokens


class TokenStream:
    """A position in a token list; `fail` builds the error for a malformed input."""

    def __init__(self, text: str, fail: Callable[[Token, str], InvalidParameter]) -> None:
        self.text = text
        self.fail = fail
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def source(self, token: Token) -> str:
        """The token as written (with its quotes), for messages."""
        return self.text[token.start : token.end] if token.kind is not Kind.END else "end of input"

    def identifier(self) -> tuple[str | None, str]:
        """Read ``prefix.key``, ``prefix.`quoted key```, or an unprefixed (attribute) key."""
        token = self.advance()
        if token.kind is Kind.BACKTICK or (token.kind is Kind.STRING and self._double(token)):
            return None, token.text
        if token.kind is not Kind.WORD:
            raise self.fail(token, f"expected an identifier, found {self.source(token)}")
        prefix, dot, key = token.text.partition(".")
        if not dot:
            return None, prefix
        if key:
            return prefix, key
        quoted = self.peek()
        if quoted.kind in (Kind.STRING, Kind.BACKTICK) and quoted.start == token.end:
            self.advance()
            return prefix, quoted.text
        raise self.fail(quoted, f"expected a key after {token.text!r}")

    def _double(self, token: Token) -> bool:
        return self.text[token.start] == '"'


def _quoted(text: str, start: int) -> Token:
    quote = text[start]
    parts: list[str] = []
    pos = start + 1
    while True:
        close = text.find(quote, pos)
        if close < 0:
            raise syntax_error(text, start, f"unterminated quote {quote}")
        parts.append(text[pos:close])
        if text.startswith(quote, close + 1):  # a doubled quote stands for itself
            parts.append(quote)
            pos = close + 2
            continue
        kind = Kind.BACKTICK if quote == "`" else Kind.STRING
        return Token(kind, "".join(parts), start, close + 1)


def syntax_error(text: str, position: int, problem: str) -> InvalidParameter:
    return InvalidParameter(f"Invalid filter {text!r}: {problem} at position {position}.")
