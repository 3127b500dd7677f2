"""Stance cues for one debate, relative to its own poles.

The shipped lexicon (cues.py) reads the high pole as the escalatory one. That
holds for "conservative … more aggressive", is backwards for a debate whose
poles run the other way, and means nothing for "protectionist … free trade".
So each debate gets its own cues, every one with where it came from:

- its pole labels: the high label (and its distinctive words) pulls toward
  +, the low label toward −;
- its proposals: they sit on an escalation ladder, so backing one pulls toward
  the escalatory pole;
- the shipped lexicon, turned to face this debate's poles: used only when the
  pole labels use a word that carries its direction (cues.py's pole words: the
  high label an escalatory one, or the low label a restraining one, or the
  reverse), never guessed;
- the desk's accepted evidence: word pairs that recur in the quotes behind
  positions on one side and never on the other.

Nothing here reads the database: the caller hands in the debate's texts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from ..models.stance import clamp_stance
from ..relevance.lexical import STOP_WORDS, stem, stems
from ..watchquery import make_pattern, word_list, words
from .cues import (
    ESCALATORY_CUES,
    ESCALATORY_POLE_WORDS,
    RESTRAINING_CUES,
    RESTRAINING_POLE_WORDS,
)

MIN_QUOTES = 2  # distinct quotes a word pair must recur in to become a cue
MIN_WORD = 4  # shorter words are too common to stand for a side


@dataclass(frozen=True)
class Cue:
    phrase: str  # in watch-query term syntax: words, a trailing * for a prefix
    direction: int  # +1 toward the high pole, −1 toward the low one
    source: str  # where it came from, shown to the editor


def _phrase(text):
    """A label or title as plain words: no query syntax can slip in."""
    return " ".join(word_list(text))


def _stem_set(phrases):
    return {s for phrase in phrases for s in stems(words(phrase.replace("*", "")))}


def lexicon_orientation(low_label, high_label):
    """+1 when the shipped lexicon's escalatory cues point at the high pole, −1
    when they point at the low one, 0 when the labels do not say."""
    escalatory = _stem_set(ESCALATORY_POLE_WORDS)
    restraining = _stem_set(RESTRAINING_POLE_WORDS)
    high, low = _stem_set([high_label]), _stem_set([low_label])
    facing = len(high & escalatory) + len(low & restraining)
    against = len(high & restraining) + len(low & escalatory)
    return (facing > against) - (facing < against)


def _distinctive_words(label, other):
    """The words of a multi-word pole label that the other label lacks."""
    mine = word_list(label)
    theirs = {stem(word) for word in word_list(other)}
    return [
        word
        for word in mine
        if len(mine) > 1
        and len(word) >= MIN_WORD
        and word not in STOP_WORDS
        and stem(word) not in theirs
    ]


def _pairs(text):
    """Adjacent pairs of content words, as they appear in the text."""
    tokens = word_list(text)
    return {
        f"{a} {b}"
        for a, b in pairwise(tokens)
        if len(a) >= MIN_WORD and len(b) >= MIN_WORD and a not in STOP_WORDS and b not in STOP_WORDS
    }


def evidence_cues(quotes, topic):
    """Cues from (quote, stance) pairs of accepted evidence: word pairs recurring
    in MIN_QUOTES distinct quotes on one side and in none on the other. Pairs of
    the debate's topic words (its title, question, summary) say what the debate
    is about, not which side someone takes, and are left out."""
    topic_stems = _stem_set([topic])
    seen = defaultdict(lambda: {1: set(), -1: set()})
    for quote, stance in {(q.strip(), s) for q, s in quotes if q and s}:
        side = 1 if stance > 0 else -1
        for pair in _pairs(quote):
            seen[pair][side].add(quote)
    cues = []
    for pair, sides in sorted(seen.items()):
        if _stem_set([pair]) <= topic_stems:
            continue
        for side in (1, -1):
            if len(sides[side]) >= MIN_QUOTES and not sides[-side]:
                cues.append(Cue(pair, side, "accepted evidence"))
    return cues


@dataclass
class DebateCues:
    """The cues of one debate, and the stance they suggest for a text."""

    cues: list
    orientation: int  # of the shipped lexicon: +1, −1 or 0 (not used)
    _patterns: list = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._patterns = [(make_pattern(cue.phrase, 0).key, cue) for cue in self.cues]

    def stance(self, text):
        """(stance, reasons) for a text; (None, []) without cues in it. A cue
        inside a longer one found in the same text ("aggressive" in "more
        aggressive") counts once, as the longer."""
        stream = words(text)
        found = [(key, cue) for key, cue in self._patterns if key in stream]
        found = [
            (key, cue)
            for key, cue in found
            if not any(key != other and key.strip() in other for other, _ in found)
        ]
        if not found:
            return None, []
        reasons = [
            {"cue": cue.phrase, "direction": cue.direction, "source": cue.source}
            for _, cue in found
        ]
        return clamp_stance(sum(cue.direction for _, cue in found)), reasons


def debate_cues(debate, proposals=(), quotes=()):
    """The DebateCues of a debate (with low_label, high_label, title, question,
    summary), its proposals (with title) and its evidence as (quote, stance)."""
    orientation = lexicon_orientation(debate.low_label, debate.high_label)
    cues = []
    for label, other, direction in (
        (debate.high_label, debate.low_label, 1),
        (debate.low_label, debate.high_label, -1),
    ):
        pole = f"the “{label}” end"  # in the debate's words, as the desk reads stances
        if word_list(label):
            cues.append(Cue(_phrase(label), direction, pole))
            cues += [Cue(w, direction, pole) for w in _distinctive_words(label, other)]
    # Proposals climb the escalation ladder: toward the escalatory pole, which is
    # the high one unless the labels say otherwise.
    ladder = -1 if orientation < 0 else 1
    cues += [
        Cue(_phrase(p.title), ladder, f"proposal “{p.title}”")
        for p in proposals
        if word_list(p.title)
    ]
    if orientation:
        for phrases, direction in ((ESCALATORY_CUES, 1), (RESTRAINING_CUES, -1)):
            cues += [Cue(c, direction * orientation, "general lexicon") for c in phrases]
    topic = " ".join([debate.title, debate.question, debate.summary])
    cues += evidence_cues(quotes, topic)
    unique, seen = [], set()
    for cue in cues:  # the first source of a phrase wins: poles, proposals, lexicon, evidence
        key = make_pattern(cue.phrase, 0).key
        if key not in seen:
            seen.add(key)
            unique.append(cue)
    return DebateCues(unique, orientation)
