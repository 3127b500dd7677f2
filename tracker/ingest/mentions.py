"""Where a flag's words and actors occur in an item's text, for marking them up.

The matcher (see watchquery.words) decides *whether* a text matches, on a word stream
without positions. This module finds *where*: it splits the display text into
the same words — NFKC, case-folded, runs of letters and digits — keeping each
word's character offsets, and matches the same patterns (watchquery.make_pattern)
against them. So what the queue marks is exactly what the matcher matched:
"ﬁre" is marked for `fire*`, "Putin’s" for the alias "Vladimir Putin".
"""

import re
import unicodedata
from dataclasses import dataclass

from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join

from ..watchquery import QuerySyntaxError, make_pattern
from .matcher import name_pattern
from .text import html_text

# Marks that compose with the character before them under NFKC (é = e + ◌́,
# が = か + ◌゙) stay with their word. A run of letters and digits is one
# match; so is each other non-ASCII character, which NFKC may still turn into
# letters ("㍱" is "hPa"). ASCII punctuation and spaces only separate words.
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a"
_UNIT = re.compile(rf"(?:[^\W_]|[{_COMBINING}])+|[^\x00-\x7f]")
_WORD_CHAR = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Mention:
    """text[start:end] is a mention: of a watch-query term (label is the term
    as the flag lists it) or of an actor (actor_id set, label its name)."""

    start: int
    end: int
    label: str
    actor_id: int | None = None


def _normalised(unit):
    """The unit as the matcher's word stream sees it: str with spaces for separators."""
    folded = unicodedata.normalize("NFKC", unit).casefold()
    return "".join(
        c if (c.isalnum() if c.isascii() else _WORD_CHAR.match(c)) else " " for c in folded
    )


def tokens(text):
    """The words of text as the matcher sees them, with offsets: [(word, start, end)]."""
    found = []
    open_word = None  # [word, start, end] of a word the next unit may continue
    for match in _UNIT.finditer(text):
        unit, start, end = match.group(), match.start(), match.end()
        if open_word is not None and open_word[2] != start:
            open_word = None  # ASCII punctuation or space in between
        if unit.isascii():
            pieces, leading, trailing = [unit.lower()], True, True
        else:
            normal = _normalised(unit)
            pieces = normal.split()
            if not pieces:
                open_word = None
                continue
            leading, trailing = not normal[0].isspace(), not normal[-1].isspace()
        for index, piece in enumerate(pieces):
            if index == 0 and leading and open_word is not None:
                open_word[0] += piece
                open_word[2] = end
            else:
                open_word = [piece, start, end]
                found.append(open_word)
        if not trailing:
            open_word = None
    return [tuple(word) for word in found]


def term_pattern(term):
    """The pattern of a term as Flag.matched_terms lists it (`nato`, `drone*`,
    `"eastern flank"`); None for an actor reference (`@russia`) or no words."""
    if term.startswith("@"):
        return None
    body = term[1:-1] if len(term) > 1 and term[0] == term[-1] == '"' else term
    try:
        return make_pattern(body, 0)
    except QuerySyntaxError:
        return None


def _spans(words, pattern):
    size = len(pattern.words)
    last = size - 1
    for index in range(len(words) - size + 1):
        for offset, expected in enumerate(pattern.words):
            word = words[index + offset]
            if word != expected and not (
                pattern.prefix and offset == last and word.startswith(expected)
            ):
                break
        else:
            yield index, index + size


def find_mentions(text, terms=(), actors=()):
    """Mentions of the terms (query syntax, as in Flag.matched_terms) and of the
    actors (their names and aliases) in text, in text order.

    Mentions never overlap: the longest wins ("Vladimir Putin" over "Putin"),
    and of two equally long ones an actor's, then the earlier."""
    found = tokens(text)
    words = [word for word, _, _ in found]
    candidates = []
    for term in terms:
        pattern = term_pattern(term)
        if pattern is not None:
            candidates.extend((span, 1, term, None) for span in _spans(words, pattern))
    for actor in actors:
        for name in actor.names:
            pattern = name_pattern(name)
            if pattern is not None:
                found_spans = _spans(words, pattern)
                candidates.extend((span, 0, actor.name, actor.id) for span in found_spans)
    taken = [False] * len(words)
    chosen = []
    for (first, stop), _, label, actor_id in sorted(
        candidates, key=lambda c: (c[0][0] - c[0][1], c[1], c[0][0])
    ):
        if any(taken[first:stop]):
            continue
        taken[first:stop] = [True] * (stop - first)
        chosen.append(Mention(found[first][1], found[stop - 1][2], label, actor_id))
    return sorted(chosen, key=lambda mention: mention.start)


def mark(text, mentions):
    """text as safe HTML, every mention in <mark> (an actor's with class "actor"
    and its name as title); line breaks become <br>."""
    pieces, position = [], 0
    for mention in mentions:
        if mention.start < position:
            continue
        pieces.append((text[position : mention.start], mention))
        position = mention.end
    html = format_html_join("", "{}{}", ((before, _marked(text, m)) for before, m in pieces))
    # Already escaped (format_html), so linebreaksbr only turns newlines into <br>.
    return linebreaksbr(format_html("{}{}", html, text[position:]))


def _marked(text, mention):
    words = text[mention.start : mention.end]
    if mention.actor_id is None:
        return format_html("<mark>{}</mark>", words)
    return format_html('<mark class="actor" title="{}">{}</mark>', mention.label, words)


def excerpt(text, mentions, radius):
    """(start, end) of a window of about twice radius characters around the first mention."""
    if not mentions:
        return 0, min(len(text), 2 * radius)
    first = mentions[0]
    start = max(0, first.start - radius)
    end = min(len(text), start + 2 * radius + first.end - first.start)
    # Whole words only: "…tonia pushed" reads worse than "…pushed".
    if start > 0 and (space := text.find(" ", start, first.start)) != -1:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first.end, end)) != -1:
        end = space
    return start, end


def item_body(item):
    """The plain text of an item's summary and content, one paragraph each; the
    summary is left out when the content already contains it."""
    summary, content = html_text(item.summary), html_text(item.content)
    if summary and summary in content:
        summary = ""
    return "\n".join(part for part in (summary, content) if part)


# Sentences end at . ! ? (and a closing quote or bracket) before a capital or an
# opening quote, or at a line break; not after an initial ("U.S.", "J. Smith")
# or a common abbreviation ("Gen.", "Oct.").
_SENTENCE_END = re.compile(r"""[.!?]+["'\u201d\u2019)\]]*(?=\s+["'\u201c\u2018(\[]?[A-Z0-9])|\n""")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "sen",
    "rep", "gov", "pres", "st", "mt", "jr", "sr", "inc", "ltd", "co", "corp", "no", "vs",
    "etc", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec",
}  # fmt: skip
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?$")
# A dateline before the first words of a wire story: "WASHINGTON (Wire) — ",
# "BRUSSELS, Oct 9 (Reuters) - ", "(Reuters) - ", "LONDON — ".
_DATELINE = re.compile(
    r"""^\s*
    (?P<place>[A-Z][A-Z.'’ -]*[A-Z]\.?(?:,\s*[A-Za-z0-9 .]{1,25}?)?\s*)?
    (?P<agency>\([^()]{1,40}\)\s*)?
    [—–-]{1,2}\s+""",
    re.X,
)
# A wire's name alone in front of the text, with or without a dash: "(Wire) NATO …".
_AGENCY_LEAD = re.compile(r"^\s*\([A-Z][A-Za-z&.' ]{1,39}\)\s*(?:[—–-]{1,2}\s*)?(?=[A-Z“\"'])")


def _sentence_spans(text):
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group() != "\n":
            before = _WORD_BEFORE.search(text, start, match.start())
            word = before.group(1) if before else ""
            if len(word) == 1 or word.lower() in _ABBREVIATIONS:
                continue
        yield start, match.end()
        start = match.end()
    yield start, len(text)


def strip_dateline(sentence):
    """The sentence without a wire dateline in front of it."""
    lead = _DATELINE.match(sentence)
    if lead and (lead.group("place") or lead.group("agency")):
        return sentence[lead.end() :]
    agency = _AGENCY_LEAD.match(sentence)
    return sentence[agency.end() :] if agency else sentence


def sentences_mentioning(text, actor):
    """The sentences of text (plain text, e.g. item_body) that mention the actor by
    its name or an alias, in text order, stripped, without a leading dateline.

    Stable: the accept screen quotes these as evidence."""
    starts = [mention.start for mention in find_mentions(text, actors=[actor])]
    sentences = []
    for start, end in _sentence_spans(text):
        if any(start <= at < end for at in starts):
            sentence = strip_dateline(text[start:end].strip())
            if sentence:
                sentences.append(sentence)
    return sentences
