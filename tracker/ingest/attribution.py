"""Who says so, read from an article's own words: the attribution its sentences
give (on the record, a spokesperson, "four NATO officials", or the outlet's own
report) and the outlet they cite.

Plain functions over plain text (an actor's sentences come from
mentions.sentences_mentioning); the accept screen uses them to prefill the
evidence of each actor's draft position, and the editor has the last word."""

import re
import unicodedata
from dataclasses import dataclass

from ..models.positions import NUMBER_WORDS
from .cues import cited_outlets

ON_RECORD = "on_record"
SPOKESPERSON = "spokesperson"
ANONYMOUS_OFFICIALS = "anonymous_officials"
OUTLET_REPORT = "outlet_report"

_NUMBERS = {word: value for value, word in enumerate(NUMBER_WORDS) if value}
_COUNT = r"(?P<count>\d{1,3}|(?i:" + "|".join(_NUMBERS) + r"|several|some|a\s+few|an?))"
# Who the unnamed sources are: capitalised words ("NATO", "U.S.", "European")
# or a few describing words, before the noun itself.
_QUALIFIER = (
    r"(?:[A-Z][\w.’'-]*|(?i:senior|junior|western|eastern|european|military|defen[cs]e|"
    r"government|administration|intelligence|security|alliance|allied|former|current|other|"
    r"diplomatic|top|high-ranking|unnamed|anonymous))"
)
_SOURCE_NOUN = (
    r"(?i:officials?|diplomats?|sources?|people|persons?|aides?|advis[eo]rs?|officers?|"
    r"ministers?|envoys?|insiders?|lawmakers?|commanders?|representatives?)"
)
_ANONYMOUS = re.compile(
    rf"(?<![\w.,]){_COUNT}\s+(?P<affiliation>(?:{_QUALIFIER}\s+){{0,3}}{_SOURCE_NOUN})\b"
)
_SPEECH = r"(?:said|says|say|told|tells|stated|states|added|adds|declared|insisted|warned)"
_QUOTED = re.compile(r"[“\"][^“”\"]{12,}[”\"]")
_SPOKESPERSON = re.compile(r"(?i:spokes(?:man|woman|person)|press secretary)")
_SPOKESPERSON_NAMED = (
    r"(?:['’]s)?\s+(?i:spokes(?:man|woman|person)|press\s+secretary)(?:\s+[A-Z][\w'’-]*){0,3}"
)


@dataclass
class Attribution:
    """How solidly a passage attributes what it reports (Evidence.Attribution values)."""

    kind: str = OUTLET_REPORT
    source_count: int | None = None
    source_affiliation: str = ""
    cited_outlet: object = None  # whatever known_outlets maps a name to


def normalise(text):
    """NFKC with the whitespace collapsed: how coverage text is compared."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def parse_count(word):
    """4 for "four" or "4"; None for "several" and other counts that are not numbers."""
    word = word.casefold()
    if word.isdigit():
        return int(word) or None
    if word in ("a", "an"):
        return 1
    return _NUMBERS.get(word)


def anonymous_sources(text):
    """(count, affiliation) of the first unnamed sources in the text, or None:
    "citing four NATO officials" → (4, "NATO officials"), "3 diplomats" → (3, "diplomats")."""
    for match in _ANONYMOUS.finditer(text):
        affiliation = " ".join(match.group("affiliation").split())
        return parse_count(match.group("count")), affiliation
    return None


def _names_regex(names):
    escaped = [re.escape(normalise(name)).replace(r"\ ", r"[\W_]+") for name in names if name]
    escaped.sort(key=len, reverse=True)
    return r"(?<!\w)(?i:" + "|".join(escaped) + r")(?!\w)"


def names_pattern(names):
    """A regex matching any of an actor's names as whole words, spacing and case aside."""
    return re.compile(_names_regex(names))


def speaks_in(sentence, names):
    """ON_RECORD or SPOKESPERSON when the sentence quotes the named actor directly
    ("…,” Whitaker said; said a Kremlin spokesman, Dmitry Peskov), else None."""
    if not _QUOTED.search(sentence):
        return None
    name = _names_regex(names)
    # The actor, or its spokesperson named after it, right before or after the verb.
    spokes = (
        r"(?:['’]s)?\s+(?i:spokes(?:man|woman|person)|press\s+secretary)(?:\s+[A-Z][\w'’-]*){0,3}"
    )
    subject = rf"{name}(?:{spokes})?(?:,[^,“”\"]{{1,80}},)?"
    pattern = rf"{subject}\s+{_SPEECH}\b|\b{_SPEECH}\s+(?:(?i:the|a|an)\s+)?{subject}"
    if not re.search(pattern, sentence):
        return None
    return SPOKESPERSON if _SPOKESPERSON.search(sentence) else ON_RECORD


def find_attribution(sentences, names, known_outlets, fallback_text=""):
    """The attribution the sentences give for what they say of the actor named so.

    A direct quote of the actor is on the record; otherwise counted unnamed
    sources ("four NATO officials") in the sentences, else in fallback_text
    (the whole article), make it anonymous; otherwise it is the outlet's own
    report. The cited outlet comes from the sentences, else from fallback_text.
    """
    result = Attribution()
    for sentence in sentences:
        spoken = speaks_in(sentence, names) if not anonymous_sources(sentence) else None
        if spoken:
            result.kind = spoken
            break
    else:
        for text in [*sentences, fallback_text]:
            sources = anonymous_sources(text) if text else None
            if sources:
                result.kind = ANONYMOUS_OFFICIALS
                result.source_count, result.source_affiliation = sources
                break
    for text in [" ".join(sentences), fallback_text]:
        outlets = cited_outlets(text, known_outlets) if text else []
        if outlets:
            result.cited_outlet = outlets[0]
            break
    return result
