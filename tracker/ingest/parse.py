"""Parse RSS 0.9x/1.0/2.0, Atom and JSON Feed bytes into plain entries.

The fast path is fastfeedparser (lxml with a native core); what it refuses is
salvaged with feedparser. Both get bytes, never a str, so neither can take
the input for a path or a URL.

No entity declared by a feed is ever expanded (billion laughs, quadratic
blow-up, external entities). Every document type declaration is cut out,
wherever it stands and however it is spelt; the fast parser does not resolve
entities in any case. The salvage parser expands the entities it finds
declared, after decoding the document itself (UTF-16 and UTF-7 included),
so it is given only its own decoding of the document with the declarations
cut out, and nothing at all that still declares an entity. It reads only the
start of a document and keeps a bounded number of entries.
"""

import calendar
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import fastfeedparser
import feedparser
from feedparser.encodings import convert_to_utf8

logger = logging.getLogger(__name__)

# Spelt out rather than re.IGNORECASE, so the search can jump from "<!" to "<!".
_DOCTYPE_START = re.compile(rb"<![Dd][Oo][Cc][Tt][Yy][Pp][Ee]")
_DOCTYPE_OR_CDATA = re.compile(rb"<!(?:\[CDATA\[|[Dd][Oo][Cc][Tt][Yy][Pp][Ee])")
_ENTITY_DECLARATION = re.compile(rb"<![Ee][Nn][Tt][Ii][Tt][Yy]")
# What matters for finding the end of a declaration: quoted literals, comments
# and instructions (which may hold "]" or ">"), and the internal subset's brackets.
_DTD_TOKEN = re.compile(rb"""["'\[\]>]|<!--|<\?""")
_CLOSERS = {b'"': b'"', b"'": b"'", b"<!--": b"-->", b"<?": b"?>"}
_FIRST_ELEMENT = re.compile(rb"<\w")
_WHITESPACE_RUN = re.compile(rb"\s{2,}")
_TTL = re.compile(rb"<ttl>\s*(\d{1,6})\s*</ttl>", re.IGNORECASE)


@dataclass
class ParsedEntry:
    title: str = ""
    link: str = ""
    guid: str = ""
    summary: str = ""
    content: str = ""
    published_at: datetime | None = None


@dataclass
class ParsedFeed:
    title: str = ""
    link: str = ""
    entries: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    ttl_minutes: int | None = None


# The salvage parser is slow (tens of KB/s on markup-dense input) and holds
# every tag, so it reads only the start of a document; with no entity expanded,
# its text is no larger than that. No real feed of the corpora needs it.
MAX_SALVAGED_BYTES = 256 * 1024
MAX_SALVAGED_ENTRIES = 2000


def _doctype_end(data, position):
    """Where the declaration whose body starts at position ends; the end of the
    data when it never does (what follows an unclosed one is not parsed)."""
    in_subset = False
    while match := _DTD_TOKEN.search(data, position):
        token, position = match.group(), match.end()
        if token in _CLOSERS:
            close = data.find(_CLOSERS[token], position)
            if close < 0:
                break
            position = close + len(_CLOSERS[token])
        elif token == b"[":
            in_subset = True
        elif token == b"]":
            in_subset = False
        elif not in_subset:  # ">"
            return position
    return len(data)


def strip_doctype(data):
    """Every document type declaration cut out, wherever it stands; (data, count).

    Inside the document, a CDATA section is text whatever it says (an article
    quoting "<!DOCTYPE x [" is kept whole). Before the first element it is not
    markup any parser honours there, so a declaration inside it is cut out too:
    the salvage parser reads every line before the first element for one.
    """
    if not _DOCTYPE_START.search(data):
        return data, 0
    pieces, copied, position = [], 0, 0
    body = _FIRST_ELEMENT.search(data)
    body_start = body.start() if body else len(data)
    while match := _DOCTYPE_OR_CDATA.search(data, position):
        start = match.start()
        if match.group() == b"<![CDATA[":
            position = match.end()
            if start > body_start:  # inside the document: skip the section whole
                end = data.find(b"]]>", position)
                position = end + 3 if end >= 0 else len(data)
            continue
        pieces.append(data[copied:start])
        copied = position = _doctype_end(data, match.end())
        if start < body_start < copied:  # that "element" was inside the declaration
            body = _FIRST_ELEMENT.search(data, copied)
            body_start = body.start() if body else len(data)
    if not pieces:
        return data, 0
    pieces.append(data[copied:])
    return b"".join(pieces), len(pieces) - 1


def parse_feed(data):
    """Parse feed bytes; never raises for bad input, records warnings instead."""
    if not isinstance(data, bytes):
        raise TypeError("parse_feed takes the feed's bytes")
    result = ParsedFeed()
    if not data.strip():
        result.warnings.append("empty document")
        return result
    data, removed = strip_doctype(data)
    if removed:
        result.warnings.append(_DOCTYPE_REMOVED)
    ttl = _TTL.search(data[:65536])
    if ttl:
        result.ttl_minutes = int(ttl.group(1))
    try:
        parsed = fastfeedparser.parse(
            data, include_tags=False, include_media=False, include_enclosures=False
        )
    except Exception as exc:  # the fast parser refuses; salvage what we can
        result.warnings.append(
            f"strict parse failed ({_short(exc)}); salvaged with a lenient parser"
        )
        return _salvage(data, result)
    result.title = _text(parsed.feed.get("title"))
    result.link = _text(parsed.feed.get("link"))
    result.entries = [_fast_entry(entry) for entry in parsed.entries]
    return result


_DOCTYPE_REMOVED = "document type declaration removed (entities are not expanded)"


def _fast_entry(entry):
    content = entry.get("content") or []
    return ParsedEntry(
        title=_text(entry.get("title")),
        link=_text(entry.get("link")),
        guid=_text(entry.get("id")),
        summary=_text(entry.get("description")),
        content=_text(content[0].get("value")) if content else "",
        published_at=_iso_date(entry.get("published") or entry.get("updated")),
    )


def _salvage(data, result):
    # feedparser decodes before it looks for declarations: check what it will read.
    try:
        data = convert_to_utf8({}, data, {})
    except Exception as exc:
        result.warnings.append(f"unparseable: {_short(exc)}")
        return result
    data, removed = strip_doctype(data)
    if removed and _DOCTYPE_REMOVED not in result.warnings:
        result.warnings.append(_DOCTYPE_REMOVED)
    if _ENTITY_DECLARATION.search(data):
        result.warnings.append("refused: the document declares entities outside a DOCTYPE")
        return result
    data = _collapse_prolog_whitespace(data)
    if len(data) > MAX_SALVAGED_BYTES:
        data = _utf8_prefix(data, MAX_SALVAGED_BYTES)
        result.warnings.append(f"only the first {MAX_SALVAGED_BYTES // 1024} KB were salvaged")
    try:
        parsed = feedparser.parse(
            io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:
        logger.warning("feed could not be parsed at all: %s", exc)
        result.warnings.append(f"unparseable: {_short(exc)}")
        return result
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        result.warnings.append(f"malformed: {_short(parsed['bozo_exception'])}")
    feed = parsed.get("feed", {})
    result.title = _text(feed.get("title"))
    result.link = _text(feed.get("link"))
    entries = parsed.get("entries", [])
    if len(entries) > MAX_SALVAGED_ENTRIES:
        result.warnings.append(f"only the first {MAX_SALVAGED_ENTRIES} entries were kept")
    for entry in entries[:MAX_SALVAGED_ENTRIES]:
        content = entry.get("content") or []
        result.entries.append(
            ParsedEntry(
                title=_text(entry.get("title")),
                link=_text(entry.get("link")),
                guid=_text(entry.get("id")),
                summary=_text(entry.get("summary")),
                content=_text(content[0].get("value")) if content else "",
                published_at=_struct_date(
                    entry.get("published_parsed") or entry.get("updated_parsed")
                ),
            )
        )
    return result


def _collapse_prolog_whitespace(data):
    """feedparser scans the prolog line by line with patterns that start with \\s*,
    which is quadratic in a long run of blank lines; one blank is as good."""
    first = _FIRST_ELEMENT.search(data)
    end = first.start() if first else len(data)
    return _WHITESPACE_RUN.sub(b"\n", data[:end]) + data[end:]


def _utf8_prefix(data, size):
    """At most size bytes of UTF-8, never ending inside a character."""
    end = size
    while end > 0 and data[end] & 0xC0 == 0x80:  # a continuation byte starts no character
        end -= 1
    return data[:end]


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _short(exc):
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _iso_date(value):
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _struct_date(value):
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
