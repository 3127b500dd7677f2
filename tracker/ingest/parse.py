"""Parse RSS 0.9x/1.0/2.0, Atom and JSON Feed bytes into plain entries.

The fast path is fastfeedparser (lxml with a native core); what it refuses is
salvaged with feedparser. Both get bytes, never a str, so neither can take
the input for a path or a URL; and the DTD is cut out first, so no entity
declared by the feed is ever expanded (billion laughs, quadratic blow-up,
external entities) whichever parser runs.
"""

import calendar
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import fastfeedparser
import feedparser

logger = logging.getLogger(__name__)

# The document type declaration with its internal subset, where entities are
# declared. Only the prolog can hold one, so only the first is looked for.
_DOCTYPE = re.compile(rb"<!DOCTYPE\b(?:[^\[>]*)(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
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


def strip_doctype(data):
    head = data[:65536]
    if b"<!" not in head:
        return data, False
    stripped, count = _DOCTYPE.subn(b"", data, count=1)
    return stripped, bool(count)


def parse_feed(data):
    """Parse feed bytes; never raises for bad input, records warnings instead."""
    if not isinstance(data, bytes):
        raise TypeError("parse_feed takes the feed's bytes")
    result = ParsedFeed()
    if not data.strip():
        result.warnings.append("empty document")
        return result
    data, had_doctype = strip_doctype(data)
    if had_doctype:
        result.warnings.append("document type declaration removed (entities are not expanded)")
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
    for entry in parsed.get("entries", []):
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
