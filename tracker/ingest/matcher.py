"""Match an item against every debate's watch query in one pass.

All patterns — query terms, every actor's name and aliases, stance cues — go
into one Aho-Corasick automaton over the word stream (see watchquery.words). A
scan yields the set of patterns present; each debate's query is then a cheap
boolean evaluation over that set, and only for debates that share a pattern
with the item.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

import ahocorasick_rs

from ..models.stance import clamp_stance
from ..watchquery import (
    ActorRef,
    QuerySyntaxError,
    Term,
    closeness,
    evaluate,
    make_pattern,
    parse_query,
    word_list,
)
from ..watchquery import positive_leaves as query_positive_leaves
from .cues import ESCALATORY_CUES, RESTRAINING_CUES

_first = itemgetter(0)


@dataclass
class DebateMatch:
    debate_id: int
    score: float
    matched_terms: list
    matched_actor_ids: list
    suggested_stance: int | None
    stance_reasons: list = field(default_factory=list)


@dataclass
class _CompiledDebate:
    debate_id: int
    tree: object
    leaf_patterns: dict  # leaf -> frozenset of pattern ids
    positive: list  # leaves that count towards the score


class Matcher:
    """Built from (id, watch_query) for debates and (id, slug, names) for actors.

    The shipped lexicon reads escalatory talk as +. orientations ({debate id:
    +1, −1 or 0}, default +1) turn each debate's suggestion to face its own
    poles, or leave it out (0) where they are not about escalation.
    """

    def __init__(self, debates, actors, orientations=None):
        self.orientations = orientations or {}
        self._ids = {}
        self.actor_patterns = {}
        self.patterns_to_actors = defaultdict(set)
        self.errors = {}
        self.slug_to_actor = {}
        for actor_id, slug, names in actors:
            self.slug_to_actor[slug.lower()] = actor_id
            ids = {self._add(_name_key(name)) for name in names if word_list(name)}
            self.actor_patterns[actor_id] = frozenset(ids)
            for pattern_id in ids:
                self.patterns_to_actors[pattern_id].add(actor_id)
        self.cues = {}
        for cues, direction in ((ESCALATORY_CUES, 1), (RESTRAINING_CUES, -1)):
            for cue in cues:
                pattern_id = self._add(make_pattern(cue, 0).key)
                self.cues[pattern_id] = (cue, direction)
        self.debates = []
        self.debates_by_pattern = defaultdict(set)
        for debate_id, watch_query in debates:
            compiled = self._compile_debate(debate_id, watch_query)
            if compiled is None:
                continue
            index = len(self.debates)
            self.debates.append(compiled)
            for leaf in compiled.leaf_patterns:
                for pattern_id in compiled.leaf_patterns[leaf]:
                    self.debates_by_pattern[pattern_id].add(index)
        keys = sorted(self._ids, key=self._ids.get)
        self._automaton = (
            ahocorasick_rs.BytesAhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard)
            if keys
            else None
        )

    def _add(self, key):
        return self._ids.setdefault(key, len(self._ids))

    def _compile_debate(self, debate_id, watch_query):
        try:
            tree = parse_query(watch_query)
        except QuerySyntaxError as error:
            self.errors[debate_id] = str(error)
            return None
        if tree is None:
            return None
        leaf_patterns = {}
        for leaf in tree.leaves():
            if isinstance(leaf, Term):
                leaf_patterns[leaf] = frozenset({self._add(leaf.pattern.key)})
            elif isinstance(leaf, ActorRef):
                actor_id = self.slug_to_actor.get(leaf.slug)
                leaf_patterns[leaf] = self.actor_patterns.get(actor_id, frozenset())
        return _CompiledDebate(debate_id, tree, leaf_patterns, list(query_positive_leaves(tree)))

    @property
    def pattern_count(self):
        return len(self._ids)

    def scan(self, words):
        """The ids of every pattern present in a word stream."""
        if self._automaton is None:
            return set()
        # map/itemgetter keeps the per-occurrence work in C.
        return set(map(_first, self._automaton.find_matches_as_indexes(words, overlapping=True)))

    def match(self, title_words, body_words):
        """Every debate the item matches, with its terms, actors, score and stance."""
        in_title = self.scan(title_words)
        return self._match_present(in_title, in_title | self.scan(body_words))

    def assess(self, title_words, body_words):
        """(matches as match() returns them, {debate id: closeness}, an
        Assessment for any debate) from one scan; see closeness()."""
        in_title = self.scan(title_words)
        present = in_title | self.scan(body_words)
        return (
            self._match_present(in_title, present),
            self._closeness_present(present),
            Assessment(self, present),
        )

    def _match_present(self, in_title, present):
        if not present:
            return []
        candidates = set()
        for pattern_id in present:
            candidates.update(self.debates_by_pattern.get(pattern_id, ()))
        if not candidates:
            return []
        matched = []
        for index in sorted(candidates):
            debate = self.debates[index]

            def is_matched(leaf, debate=debate):
                return not debate.leaf_patterns[leaf].isdisjoint(present)

            if evaluate(debate.tree, is_matched):
                matched.append((debate, is_matched))
        if not matched:
            return []
        # Only now, for the few items that matched a debate: who is mentioned
        # and which way the cues lean.
        mentioned = self.mentioned(present)
        results = []
        for debate, is_matched in matched:
            stance, reasons = self.suggest_stance(present, debate.debate_id)
            terms, score = [], 0.0
            for leaf in dict.fromkeys(debate.positive):
                if is_matched(leaf):
                    terms.append(_leaf_label(leaf))
                    score += 2.0 if not debate.leaf_patterns[leaf].isdisjoint(in_title) else 1.0
            score += 0.5 * len(mentioned)
            results.append(DebateMatch(debate.debate_id, score, terms, mentioned, stance, reasons))
        return results

    def mentioned(self, present):
        return sorted({actor for p in present for actor in self.patterns_to_actors.get(p, ())})

    def closeness(self, title_words, body_words):
        """{debate id: how near the item comes to its query (0…1), or None where
        the query's NOT excludes it}, for every debate with a query."""
        return self._closeness_present(self.scan(title_words) | self.scan(body_words))

    def _closeness_present(self, present):
        result = {}
        for debate in self.debates:

            def is_matched(leaf, debate=debate):
                return not debate.leaf_patterns[leaf].isdisjoint(present)

            result[debate.debate_id] = closeness(debate.tree, is_matched)
        return result

    def suggest_stance(self, present, debate_id):
        """(stance, reasons) toward the debate's own poles; (None, []) without
        cues or where the lexicon does not face them."""
        orientation = self.orientations.get(debate_id, 1)
        reasons, balance = [], 0
        for pattern_id in sorted(present & self.cues.keys()):
            cue, direction = self.cues[pattern_id]
            balance += direction * orientation
            reasons.append({"cue": cue, "direction": direction * orientation})
        if not reasons or not orientation:
            return None, []
        return clamp_stance(balance), reasons


def name_pattern(name):
    """The pattern of an actor's name or alias (whole words, never a prefix);
    None for a name without letters or digits."""
    if not word_list(name):
        return None
    return make_pattern(name.replace("*", " "), 0, allow_prefix=False)


@dataclass
class Assessment:
    """What an item mentions, for a flag the query did not make."""

    matcher: Matcher
    present: set

    def mentioned(self):
        return self.matcher.mentioned(self.present)

    def stance(self, debate_id):
        return self.matcher.suggest_stance(self.present, debate_id)


def _name_key(name):
    return name_pattern(name).key


def _leaf_label(leaf):
    return f"@{leaf.slug}" if isinstance(leaf, ActorRef) else leaf.source
