"""Search results show where the reader's words were found: the text cut to a
window around the first of them, split into parts the template marks up, so
escaping stays with the template."""

import re

WINDOW = 200  # characters of a long text shown around the words found
LEAD = 80  # of them, before the first word found
OPERATORS = {"AND", "OR", "NOT"}
SUFFIXES = ("ing", "es", "ed", "s")


def _stem(word):
    """'drones' → 'dron', so a search for drones marks 'drone' too, as the
    database's English search matches it."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def pattern(query):
    """A pattern for the words of a query: not its operators, not the words it
    excludes ("-olympics"), each word with a short ending or none."""
    words = []
    for token in query.split():
        if token.startswith("-") or token in OPERATORS:
            continue
        words += re.findall(r"\w+", token)
    stems = sorted({re.escape(_stem(word.lower())) for word in words}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(rf"\b(?:{'|'.join(stems)})\w{{0,3}}\b", re.IGNORECASE)


def parts(text, found):
    """The text as (part, is_a_word_found) pairs, cut to WINDOW characters
    around the first word found when it is longer, with "…" where it was cut."""
    first = found.search(text) if found else None
    start, end = 0, len(text)
    if len(text) > WINDOW:
        start = max(0, (first.start() if first else 0) - LEAD)
        end = min(len(text), start + WINDOW)
        start = _word_boundary(text, start, forward=True)
        end = _word_boundary(text, end, forward=False)
    window = text[start:end].strip()
    pieces = [("…", False)] if start > 0 else []
    at = 0
    for match in found.finditer(window) if found else ():
        pieces += [(window[at : match.start()], False), (match.group(), True)]
        at = match.end()
    pieces.append((window[at:], False))
    if end < len(text):
        pieces.append(("…", False))
    return [(part, is_found) for part, is_found in pieces if part]


def _word_boundary(text, index, forward):
    """Move a cut off the middle of a word: to the next word start (forward) or
    back to the end of the previous word."""
    if index in (0, len(text)) or not (text[index - 1].isalnum() and text[index].isalnum()):
        return index
    if forward:
        space = text.find(" ", index)
        return len(text) if space == -1 else space + 1
    space = text.rfind(" ", 0, index)
    return 0 if space == -1 else space
