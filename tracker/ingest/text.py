"""Text as the pipeline sees it: HTML stripped or sanitised, and the plain
text a watch query searches (its words are tracker.watchquery.words)."""

import html
import re

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
