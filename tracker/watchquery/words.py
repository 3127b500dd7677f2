"""The word stream that watch queries are matched against.

It follows the semantics of docs/watch-queries.md: NFKC normalised,
case-folded, split into runs of Unicode letters and digits, and written as
b" word word … " (UTF-8, one space between words and at both ends) so that
b" nato " matches the whole word and b" drone" any word starting so.
"""

import re
import unicodedata

# Punctuation common in news text that is not a word character; replacing it
# up front keeps most items on the fast ASCII path below.
_COMMON_SEPARATORS = (
    "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200e\u200f"
    "\u202f\u2060\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2022\u2026\u2032"
    "\u2033\u00ab\u00bb\u00b7"
)
_NON_ASCII_SEPARATORS = re.compile(r"[^\w\x00-\x7f]+")
_ASCII_SEPARATORS = bytes(i for i in range(128) if not chr(i).isalnum())
_TO_SPACE = bytes.maketrans(_ASCII_SEPARATORS, b" " * len(_ASCII_SEPARATORS))


def words(text):
    """The word stream of plain text: b" w1 w2 … wn " (b" " when there are none)."""
    for separator in _COMMON_SEPARATORS:
        if separator in text:
            text = text.replace(separator, " ")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if not text.isascii() and _NON_ASCII_SEPARATORS.search(text):
        text = _NON_ASCII_SEPARATORS.sub(" ", text)
    tokens = text.encode("utf-8").translate(_TO_SPACE).split()
    return b" " + b" ".join(tokens) + b" " if tokens else b" "


def word_list(text):
    """The words of a query term or alias, as str: 'U.S.' → ['u', 's']."""
    return words(text).decode("utf-8").split()
