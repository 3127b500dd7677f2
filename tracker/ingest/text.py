"""Text as the pipeline sees it: HTML stripped or sanitised, and the word
stream that watch queries are matched against.

The word stream follows the watch-query semantics of DESIGN.md: NFKC
normalised, case-folded, split into runs of Unicode letters and digits, and
written as b" word word … " (UTF-8, one space between words and at both ends)
so that b" nato " matches the whole word and b" drone" any word starting so.
"""

import html
import re
import unicodedata

import nh3

# Tags and attributes kept in HTML we show to editors and readers; everything
# else (script, style, iframes, forms, event handlers, SVG, …) is dropped.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "figcaption", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan"}}
SAFE_URL_SCHEMES = {"http", "https"}
DROP_WITH_CONTENT = {"script", "style", "noscript", "template", "iframe", "object", "svg", "math"}

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


def _absolute_http_links_only(tag, attribute, value):
    # Relative links in a feed point into somebody else's site, or nowhere.
    if attribute == "href" and not value.lower().startswith(("http://", "https://")):
        return None
    return value


def sanitise_html(value):
    """HTML that is safe to display: an allow-list of tags, absolute http(s) links only."""
    if not value:
        return ""
    if "<" not in value and "&" not in value and ">" not in value:
        return value  # plain text with nothing to escape is already safe HTML
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attribute_filter=_absolute_http_links_only,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def strip_html(value):
    """Plain text from HTML (or from text with entities): tags dropped, entities
    decoded, whitespace collapsed."""
    if not value:
        return ""
    if "<" in value:
        # Sanitise first, so block boundaries (<p>, <li>) still separate words.
        return html_text(sanitise_html(value))
    return " ".join(html.unescape(value).split())


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


_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_INLINE_TAGS = {
    "a", "abbr", "b", "cite", "code", "em", "i", "q", "s", "small", "strong", "sub", "sup", "u",
}  # fmt: skip


def _tag_gap(match):
    return "" if match.group(2).lower() in _INLINE_TAGS else " "


def html_text(sanitised):
    """Plain text of HTML that sanitise_html produced (cheaper than strip_html)."""
    if not sanitised:
        return ""
    if "<" in sanitised:
        sanitised = _TAG.sub(_tag_gap, sanitised)
    return " ".join(html.unescape(sanitised).split())


def item_text(title, summary_html, content_html):
    """The text a watch query searches: title, summary and content as plain text."""
    return " ".join(
        part for part in (title, html_text(summary_html), html_text(content_html)) if part
    )
