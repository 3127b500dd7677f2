"""Watch queries, below both the models (which validate them) and ingestion
(which matches them): the grammar and the word stream it is matched on.
The syntax and its semantics are in docs/watch-queries.md."""

from .grammar import (
    ActorRef,
    And,
    Not,
    Or,
    Pattern,
    QuerySyntaxError,
    Term,
    actor_slugs,
    closeness,
    evaluate,
    make_pattern,
    parse_query,
    positive_leaves,
)
from .words import word_list, words

__all__ = [
    "ActorRef",
    "And",
    "Not",
    "Or",
    "Pattern",
    "QuerySyntaxError",
    "Term",
    "actor_slugs",
    "closeness",
    "evaluate",
    "make_pattern",
    "parse_query",
    "positive_leaves",
    "word_list",
    "words",
]
