"""Transparent cues: words that suggest a stance, and phrases that say which
outlet an article is citing. Every suggestion keeps the cues behind it."""

import re

# Written in watch-query term syntax (a trailing * is a prefix). The lexicon
# reads the high pole as the escalatory one, as in "more aggressive".
ESCALATORY_CUES = [
    "push for", "pushing for", "pushed for", "pushes for", "stronger response",
    "tougher response", "firmer response", "more aggressive", "aggressive posture",
    "fire on", "open fire", "shoot down", "shot down", "retaliat*", "armed response",
    "hit back", "increase the cost", "raise the cost", "countermeasures", "hardline",
    "escalate", "arm surveillance drones", "loosen restrictions", "loosening restrictions",
    "crack down",
]  # fmt: skip
RESTRAINING_CUES = [
    "caution*", "restraint", "de-escalat*", "deescalat*", "conservative response",
    "avoid escalation", "avoid confrontation", "risk of confrontation",
    "direct confrontation", "measured response", "proportionate", "dialogue",
    "diplomatic solution", "calm heads", "urged calm", "wait and see", "step back",
]  # fmt: skip

# The words that carry each side's direction, for telling from a debate's pole
# labels which way the lexicon faces. Not every word of a cue does: the
# "restrictions" of "loosen restrictions" or the "confrontation" of "avoid
# confrontation" are what the cue turns against, and a pole labelled
# "restrictive" or "confrontational" says nothing of the lexicon.
ESCALATORY_POLE_WORDS = ["aggressive", "tough*", "firm*", "hardline", "escalat*", "retaliat*"]
RESTRAINING_POLE_WORDS = [
    "conservative", "caution*", "restraint", "restrained", "de-escalat*", "measured",
    "proportionate", "diplomatic", "calm",
]  # fmt: skip

_NAME = r"(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w&'’.-]*){0,4})"
CITATION_PATTERNS = [
    re.compile(
        r"\b(?:citing|according to|as reported by|reported by|cited by|quoted by)\s+(?:the\s+)?"
        + _NAME
    ),
    re.compile(r"\btold\s+(?:the\s+)?" + _NAME),
    re.compile(r"\b(?:the\s+)?" + _NAME + r"\s+(?:reported|reports|has reported|first reported)\b"),
    re.compile(r"\b" + _NAME + r"\s+(?:adds|added|wrote|writes)\b"),
]


def cited_outlets(text, known_outlets):
    """Names of known outlets the text cites, in order of first mention.

    known_outlets maps a case-folded name or alias ("ft", "financial times")
    to the outlet's name.
    """
    mentions = []
    for pattern in CITATION_PATTERNS:
        for match in pattern.finditer(text):
            words = match.group("name").rstrip(".’'").casefold().split()
            # "citing the Financial Times' defence editor": the longest run of
            # leading words that names a known outlet.
            for size in range(len(words), 0, -1):
                outlet = known_outlets.get(" ".join(words[:size]))
                if outlet:
                    mentions.append((match.start(), outlet))
                    break
    found = []
    for _, outlet in sorted(mentions, key=lambda mention: mention[0]):
        if outlet not in found:
            found.append(outlet)
    return found
