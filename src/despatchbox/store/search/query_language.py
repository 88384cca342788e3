"""The search query language: text a user typed → an AST (planned for the engine by ``query_plan``:
tantivy queries, on both databases).

The language::

    prosecute                 a word, stemmed: also finds "prosecuted", "prosecutes"
    "organised crime"         an exact phrase: these words, in this order, not stemmed
    immig*                    a prefix (at least two letters), not stemmed
    crime AND prison          both (AND is also what a space means)
    crime OR prison           either
    crime NOT prison          leave out; a leading minus does the same: crime -prison, crime -"knife crime"
    (knife OR gun) crime      grouping

Operators are AND, OR and NOT in capitals; in lower case they are ordinary words.
A word with inner punctuation ("anti-social", "don't", "3,198") is a phrase of its parts.

Leniency: anything else a user may type is read as plain words — punctuation is a word
separator, an unclosed quote or bracket is ignored, an operator with nothing to join is
dropped, other engines' syntax (``NEAR(``, ``body:``, ``^``) means nothing special. Each such repair is
reported as a notice. Only queries that leave nothing to look for, look only for what to leave
out, or are too big (characters, words, prefixes: the limits below) raise :class:`QueryError`,
whose message is meant for the user.

Safety: words hold letters and digits only; tantivy receives them as term and phrase queries
built through its API (never its query parser): user text never reaches a query syntax or SQL.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

#: the longest query accepted, in characters
MAX_QUERY_CHARS = 1000
#: the most words and phrases one query may hold
MAX_TERMS = 40
#: the shortest prefix accepted before ``*`` (shorter ones are read as whole words)
MIN_PREFIX_CHARS = 2
#: the most prefixes (``word*``) one query may hold: each stands for many words, and costs as much
MAX_PREFIXES = 5
#: the most distinct words one prefix may stand for (counted where the index can: tantivy's terms)
MAX_PREFIX_WORDS = 500

#: the two indexes: words are stemmed (porter / english); phrases and prefixes are exact
STEMMED = "stemmed"
EXACT = "exact"

_WORD = re.compile(r"[^\W_]+")
OPERATORS = {"AND", "OR", "NOT"}


class QueryError(ValueError):
    """A query that cannot be run; ``str(error)`` is a message for the person who typed it."""


# --- the AST ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One word: stemmed, or (``prefix``) any word starting with it, unstemmed."""
    word: str
    prefix: bool = False

    @property
    def index(self) -> str:
        return EXACT if self.prefix else STEMMED


@dataclass(frozen=True)
class Phrase:
    """Words in this order. ``exact`` (typed in quotes): unstemmed; else (punctuation-joined): stemmed."""
    words: tuple[str, ...]
    exact: bool = True

    @property
    def index(self) -> str:
        return EXACT if self.exact else STEMMED


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    item: "Node"


Leaf = Term | Phrase
Node = Term | Phrase | And | Or | Not


@dataclass(frozen=True)
class ParsedQuery:
    text: str                          # what was typed
    root: Node
    notices: tuple[str, ...] = ()      # how a mistyped query was read

    def leaves(self) -> list[Leaf]:
        return leaves(self.root)

    def positive_leaves(self) -> list[Leaf]:
        return positive_leaves(self.root)

    def describe(self) -> str:
        return describe(self.root)


def leaves(node: Node) -> list[Leaf]:
    if isinstance(node, (Term, Phrase)):
        return [node]
    if isinstance(node, Not):
        return leaves(node.item)
    return [leaf for item in node.items for leaf in leaves(item)]


def positive_leaves(node: Node) -> list[Leaf]:
    """The leaves that a match must (or may) contain — everything not under a NOT."""
    if isinstance(node, (Term, Phrase)):
        return [node]
    if isinstance(node, Not):
        return []
    return [leaf for item in node.items for leaf in positive_leaves(item)]


def indexes_of(node: Node) -> set[str]:
    return {leaf.index for leaf in leaves(node)}


def describe(node: Node) -> str:
    """The query as it was understood, written in the query language itself (parses back to the same AST)."""
    if isinstance(node, Term):
        return node.word + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return f'"{" ".join(node.words)}"' if node.exact else "-".join(node.words)
    if isinstance(node, Not):
        inner = node.item
        return "-" + (describe(inner) if isinstance(inner, (Term, Phrase)) else f"({describe(inner)})")
    if isinstance(node, And):
        return " ".join(f"({describe(i)})" if isinstance(i, Or) else describe(i) for i in node.items)
    return " OR ".join(describe(i) for i in node.items)


# --- lexing -------------------------------------------------------------------------------------

@dataclass
class _Tok:
    kind: str                 # WORD | PHRASE | AND | OR | NOT | LP | RP
    text: str = ""
    negated: bool = False     # a leading minus


@dataclass
class _Lexer:
    text: str
    notices: list[str] = field(default_factory=list)

    def tokens(self) -> list[_Tok]:
        s, out, i, n = self.text, [], 0, len(self.text)
        while i < n:
            ch = s[i]
            if ch.isspace():
                i += 1
                continue
            negated = False
            if ch == "-" and i + 1 < n and not s[i + 1].isspace() and s[i + 1] != "-":
                negated, i = True, i + 1
                ch = s[i]
            if ch == '"':
                close = s.find('"', i + 1)
                if close < 0:
                    self.notices.append("A quote without its closing quote was ignored.")
                    i += 1
                    continue
                out.append(_Tok("PHRASE", s[i + 1:close], negated))
                i = close + 1
            elif ch == "(":
                out.append(_Tok("LP", negated=negated))
                i += 1
            elif ch == ")":
                out.append(_Tok("RP"))
                i += 1
            else:
                j = i
                while j < n and not s[j].isspace() and s[j] not in '"()':
                    j += 1
                chunk = s[i:j]
                i = j
                if chunk in OPERATORS and not negated:
                    out.append(_Tok(chunk))
                else:
                    out.append(_Tok("WORD", chunk, negated))
        return out


# --- parsing ------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, tokens: list[_Tok], notices: list[str]):
        self.toks = tokens
        self.i = 0
        self.notices = notices
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def starts_operand(self, tok: _Tok | None) -> bool:
        return tok is not None and tok.kind in ("WORD", "PHRASE", "LP", "NOT")

    def notice(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)

    def parse(self) -> Node | None:
        node = self.parse_or()
        while self.peek() is not None:          # a stray ")" at the top level, and what follows it
            tok = self.take()
            if tok.kind == "RP":
                self.notice("A closing bracket without its opening bracket was ignored.")
            rest = self.parse_or()
            node = _and([node, rest])
        return node

    def parse_or(self) -> Node | None:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            if not self.starts_operand(self.peek()):
                self.notice("OR needs a word on each side; it was ignored.")
                continue
            items.append(self.parse_and())
        present = [i for i in items if i is not None]
        if len(present) < len(items) and len(items) > 1:
            self.notice("OR needs a word on each side; it was ignored.")
        if not present:
            return None
        return present[0] if len(present) == 1 else Or(tuple(present))

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "AND":
                self.take()
                if not items or not self.starts_operand(self.peek()):
                    self.notice("AND needs a word on each side; it was ignored.")
                continue
            if tok.kind == "OR":
                break
            if tok.kind == "RP":
                if self.depth > 0:
                    break
                return _and(items)               # handled by parse()
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        return _and(items)

    def parse_unary(self) -> Node | None:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.take()
            after = self.peek()
            if after is None or not self.starts_operand(after) or after.kind == "NOT":
                self.notice("NOT needs a word after it; it was ignored.")
                return None
            item = self.parse_primary()
            return Not(item) if item is not None else None
        return self.parse_primary()

    def parse_primary(self) -> Node | None:
        tok = self.take()
        node: Node | None
        if tok.kind == "PHRASE":
            words = tuple(w.lower() for w in _WORD.findall(tok.text))
            node = Phrase(words, exact=True) if words else None
            if not words:
                self.notice("A quoted phrase without words was ignored.")
        elif tok.kind == "WORD":
            node = self.word(tok.text)
        elif tok.kind == "LP":
            self.depth += 1
            node = self.parse_or()
            self.depth -= 1
            if (after := self.peek()) is not None and after.kind == "RP":
                self.take()
            else:
                self.notice("An opening bracket without its closing bracket was ignored.")
        else:                                     # NOT after NOT: read by parse_unary
            node = None
        if node is not None and tok.negated:
            node = Not(node)
        return node

    def word(self, chunk: str) -> Node | None:
        parts = [m for m in _WORD.finditer(chunk)]
        if not parts:
            return None                           # stray punctuation: "*", "'", ";", "&"
        words = tuple(m.group().lower() for m in parts)
        starred = chunk[parts[-1].end():].startswith("*")
        if len(words) == 1:
            if starred and len(words[0]) >= MIN_PREFIX_CHARS:
                return Term(words[0], prefix=True)
            if starred:
                self.notice(f"A prefix needs at least {MIN_PREFIX_CHARS} letters before *; "
                            f"{words[0]!r} was searched as a word.")
            return Term(words[0])
        if starred:
            self.notice("* only works after a single word; it was ignored.")
        return Phrase(words, exact=False)


def _and(items: Sequence[Node | None]) -> Node | None:
    present = [i for i in items if i is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else And(tuple(present))


# --- normalising and checking -------------------------------------------------------------------

def normalise(node: Node) -> Node:
    """Flatten nested AND/OR, drop double negation and repeated operands."""
    if isinstance(node, (Term, Phrase)):
        return node
    if isinstance(node, Not):
        inner = normalise(node.item)
        return inner.item if isinstance(inner, Not) else Not(inner)
    cls = type(node)
    flat: list[Node] = []
    for item in node.items:
        item = normalise(item)
        for sub in (item.items if isinstance(item, cls) else (item,)):
            if sub not in flat:
                flat.append(sub)
    return flat[0] if len(flat) == 1 else cls(tuple(flat))


def is_positive(node: Node) -> bool:
    """True when the node asks for something to be present (not only for things to be absent)."""
    if isinstance(node, (Term, Phrase)):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(is_positive(i) for i in node.items)
    return all(is_positive(i) for i in node.items)


def _check(node: Node) -> None:
    if isinstance(node, Or):
        for item in node.items:
            if not is_positive(item):
                raise QueryError("Words to leave out (NOT or -) cannot stand alone beside OR: "
                                 "put them next to words to look for, e.g. (crime OR prison) -scotland.")
            _check(item)
    elif isinstance(node, And):
        for item in node.items:
            _check(item)
    elif isinstance(node, Not):
        if not is_positive(node.item):
            raise QueryError("NOT of a NOT is not supported: write the words to look for directly.")
        _check(node.item)


def parse(text: str) -> ParsedQuery:
    """Parse what a user typed; raises :class:`QueryError` (with a message for them) when nothing can be run."""
    if text is None:
        text = ""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The search is too long ({len(text):,} characters); "
                         f"the limit is {MAX_QUERY_CHARS:,}.")
    if "\x00" in text:
        text = text.replace("\x00", " ")
    lexer = _Lexer(text)
    tokens = lexer.tokens()
    parser = _Parser(tokens, lexer.notices)
    root = parser.parse()
    if root is None:
        if any(t.kind in OPERATORS for t in tokens):
            raise QueryError("AND, OR and NOT join words to search for; type some words as well, "
                             "e.g. crime AND prison.")
        raise QueryError("Type a word, or a phrase in quotes, to search for.")
    root = normalise(root)
    _check(root)
    if not is_positive(root):
        raise QueryError("This search only says what to leave out (NOT or -): add words to look for, "
                         "e.g. crime -scotland.")
    found = leaves(root)
    if len(found) > MAX_TERMS:
        raise QueryError(f"The search has {len(found)} words and phrases; the limit is {MAX_TERMS}.")
    prefixes = sum(1 for leaf in found if isinstance(leaf, Term) and leaf.prefix)
    if prefixes > MAX_PREFIXES:
        raise QueryError(f"Use at most {MAX_PREFIXES} prefixes (word*) in one search; this one has {prefixes}. "
                         "Write some of them as whole words, or with more letters before the *.")
    return ParsedQuery(text=text, root=root, notices=tuple(parser.notices))
