"""Watch queries: parse the syntax of docs/watch-queries.md into a small tree.

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        two terms side by side mean AND
    unary   := "NOT" unary | primary
    primary := "(" or ")" | "phrase" | @actor-slug | term | term*

Operators are upper-case words; "and", "or", "not" in lower case are terms.
A term is matched as whole words after the same normalisation as the text
(so `U.S.` is the phrase "u s"); a trailing * makes the last word a prefix.
"""

import re
from dataclasses import dataclass

from .words import word_list

OPERATORS = {"AND", "OR", "NOT"}
# Far beyond any real watch query (the demo's are under 200 characters and 2
# levels deep), and low enough that parsing and evaluating the tree, both
# recursive, stay well inside Python's recursion limit.
MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 32
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) |
        "(?P<phrase>[^"]*)(?P<closed>")? |
        @(?P<actor>[A-Za-z0-9_-]*) |
        (?P<word>[^\s()"]+)
    )""",
    re.VERBOSE,
)


class QuerySyntaxError(ValueError):
    def __init__(self, message, position):
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Pattern:
    """Consecutive words; with prefix, the last word only has to start so."""

    words: tuple
    prefix: bool = False

    @property
    def key(self):
        body = b" " + " ".join(self.words).encode("utf-8")
        return body if self.prefix else body + b" "

    def __str__(self):
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.words) > 1 else text


class _Leaf:
    """A term or an actor reference: a leaf of the query's tree."""

    def leaves(self):
        yield self


class _Branch:
    """AND or OR: the leaves of its operands, in order."""

    def leaves(self):
        for operand in self.operands:
            yield from operand.leaves()


@dataclass(frozen=True)
class Term(_Leaf):
    pattern: Pattern
    source: str


@dataclass(frozen=True)
class ActorRef(_Leaf):
    slug: str
    position: int


@dataclass(frozen=True)
class Not:
    operand: object

    def leaves(self):
        yield from self.operand.leaves()


@dataclass(frozen=True)
class And(_Branch):
    operands: tuple


@dataclass(frozen=True)
class Or(_Branch):
    operands: tuple


def _tokenize(query):
    tokens = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            if query[position:].strip():
                raise QuerySyntaxError("unexpected character", position)
            break
        start = match.start(match.lastgroup)
        kind = match.lastgroup
        if kind == "closed":
            kind = "phrase"
        if kind == "phrase" and match.group("closed") is None:
            raise QuerySyntaxError("unclosed quotation mark", start - 1)
        value = match.group(kind) if kind != "phrase" else match.group("phrase")
        if kind == "word" and value in OPERATORS:
            kind = value
        if kind in ("phrase", "actor"):
            start -= 1  # point at the opening quote or the @
        tokens.append((kind, value, start))
        position = match.end()
    tokens.append(("end", "", len(query)))
    return tokens


def make_pattern(text, position, allow_prefix=True):
    prefix = allow_prefix and text.endswith("*")
    body = text.rstrip("*") if prefix else text
    if "*" in body:
        raise QuerySyntaxError("* is only allowed at the end of a term", position)
    term_words = word_list(body)
    if not term_words:
        raise QuerySyntaxError(f"“{text}” has no letters or digits to match", position)
    return Pattern(tuple(term_words), prefix)


class _Parser:
    def __init__(self, query):
        if len(query) > MAX_QUERY_LENGTH:
            raise QuerySyntaxError(
                f"the query is longer than {MAX_QUERY_LENGTH:,} characters", MAX_QUERY_LENGTH
            )
        self.tokens = _tokenize(query)
        self.index = 0
        self.depth = 0  # open parentheses and NOTs around the current token

    def nested(self, parse, position):
        """Run parse one level deeper: inside a parenthesis or a NOT."""
        if self.depth == MAX_DEPTH:
            raise QuerySyntaxError(f"the query nests more than {MAX_DEPTH} levels deep", position)
        self.depth += 1
        try:
            return parse()
        finally:
            self.depth -= 1

    def peek(self):
        return self.tokens[self.index]

    def take(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self):
        if self.peek()[0] == "end":
            return None
        tree = self.parse_or()
        kind, _, position = self.peek()
        if kind != "end":
            message = "unbalanced closing parenthesis" if kind == "close" else "unexpected term"
            raise QuerySyntaxError(message, position)
        return tree

    def parse_or(self):
        operands = [self.parse_and()]
        while self.peek()[0] == "OR":
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self):
        operands = [self.parse_unary()]
        while self.peek()[0] in ("AND", "NOT", "open", "phrase", "actor", "word"):
            if self.peek()[0] == "AND":
                self.take()
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_unary(self):
        if self.peek()[0] == "NOT":
            _, _, position = self.take()
            return Not(self.nested(self.parse_unary, position))
        return self.parse_primary()

    def parse_primary(self):
        kind, value, position = self.take()
        if kind == "open":
            inner = self.nested(self.parse_or, position)
            closing, _, at = self.take()
            if closing != "close":
                raise QuerySyntaxError("missing closing parenthesis", at)
            return inner
        if kind == "phrase":
            return Term(make_pattern(value, position), f'"{value}"')
        if kind == "word":
            return Term(make_pattern(value, position), value)
        if kind == "actor":
            if not value:
                raise QuerySyntaxError("@ must be followed by an actor's slug", position)
            return ActorRef(value.lower(), position)
        if kind == "end":
            raise QuerySyntaxError("the query ends where a term was expected", position)
        if kind == "close":
            raise QuerySyntaxError("unbalanced closing parenthesis", position)
        raise QuerySyntaxError(f"{kind} needs a term before it", position)


def parse_query(query):
    """The tree of a watch query, or None for an empty one; QuerySyntaxError
    (with the position) when it does not parse or would match everything."""
    tree = _Parser(query or "").parse()
    if tree is not None and evaluate(tree, lambda leaf: False):
        raise QuerySyntaxError("the query would match every item; add a term it requires", 0)
    return tree


def evaluate(tree, is_matched):
    """Evaluate a tree given a predicate on its leaves."""
    if isinstance(tree, Or):
        return any(evaluate(operand, is_matched) for operand in tree.operands)
    if isinstance(tree, And):
        return all(evaluate(operand, is_matched) for operand in tree.operands)
    if isinstance(tree, Not):
        return not evaluate(tree.operand, is_matched)
    return is_matched(tree)


def actor_slugs(tree):
    return {leaf.slug for leaf in tree.leaves() if isinstance(leaf, ActorRef)} if tree else set()


def positive_leaves(tree, negated=False):
    """Leaves that count for a match when present (not under an odd number of NOTs)."""
    if tree is None:
        return
    if isinstance(tree, Not):
        yield from positive_leaves(tree.operand, not negated)
    elif isinstance(tree, And | Or):
        for operand in tree.operands:
            yield from positive_leaves(operand, negated)
    elif not negated:
        yield tree


def closeness(tree, is_matched):
    """How near an item comes to matching, from 0 to 1: the share of a
    conjunction's required parts present (the best branch of a disjunction).
    A full match is 1; None when a NOT joined to the query by AND excludes it."""
    if isinstance(tree, Not):
        return None if evaluate(tree.operand, is_matched) else 1.0
    if isinstance(tree, Or):
        values = [closeness(operand, is_matched) for operand in tree.operands]
        return max((v for v in values if v is not None), default=None)
    if isinstance(tree, And):
        required = [operand for operand in tree.operands if not isinstance(operand, Not)]
        for operand in tree.operands:
            if isinstance(operand, Not) and evaluate(operand.operand, is_matched):
                return None
        if not required:
            return 1.0
        parts = [closeness(operand, is_matched) for operand in required]
        if any(part is None for part in parts):
            return None
        return sum(parts) / len(parts)
    return 1.0 if is_matched(tree) else 0.0
