"""From parsed entries to stored coverage, one feed's batch at a time:
clean each entry, drop exact and near-duplicate copies (clustered under their
original), store the rest and hand the new originals to flagging.

A batch is written in one transaction and every write is keyed (canonical
URL, feed + guid; flagging keys item + debate), so running the same batch
twice — a task redelivered after a crash, two workers on one feed — stores
nothing twice.
"""

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from ..models import CoverageItem, Debate, Outlet
from ..relevance.embedding import get_embedder, to_bytes
from ..watchquery import words
from . import dedupe
from .cues import cited_outlets
from .flagging import CHUNK, build_matcher, chunks, create_flags, relevance_enabled
from .text import item_text, sanitise_html, strip_html
from .urls import absolute_http_url, canonical_url, is_http_url, without_tracking

logger = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    items_new: int = 0
    items_duplicate: int = 0
    items_near_duplicate: int = 0
    items_rejected: int = 0
    flags_created: int = 0
    warnings: list = field(default_factory=list)

    def add(self, other):
        for name in ("items_new", "items_duplicate", "items_near_duplicate", "items_rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.flags_created += other.flags_created
        self.warnings.extend(other.warnings)

    def as_dict(self):
        return asdict(self)


@dataclass
class CleanItem:
    """An entry made safe: http(s) links only, sanitised HTML, plain title."""

    url: str
    canonical_url: str
    guid: str
    title: str
    summary: str
    content: str
    published_at: object
    title_words: bytes
    body_words: bytes
    text: str
    vector: object = None  # its embedding row (text and title), once computed


def clean_entry(entry, base_url=""):
    """A CleanItem, or a str saying why the entry was rejected."""
    link = absolute_http_url(entry.link, base_url)
    if not link and is_http_url(entry.guid):
        link = entry.guid.strip()
    if not link:
        return "no http(s) link"
    try:
        canonical = canonical_url(link)
    except ValueError:
        return "link could not be made canonical"
    if len(canonical) > 2000:
        return "link too long"
    summary, content = sanitise_html(entry.summary), sanitise_html(entry.content)
    title = strip_html(entry.title)[:1000]
    text = item_text("", summary, content)
    if not title:
        title = (text[:140].rsplit(" ", 1)[0] + "…") if len(text) > 140 else text or canonical
    return CleanItem(
        url=without_tracking(link),
        canonical_url=canonical,
        guid=entry.guid[:1000],
        title=title,
        summary=summary,
        content=content,
        published_at=entry.published_at,
        title_words=words(title),
        body_words=words(text),
        text=f"{title} {text}",
    )


class Pipeline:
    """Ingests batches, keeping the matcher, outlet names and the index of
    recent originals between them."""

    def __init__(self, matcher=None, relevance=None):
        self.matcher = matcher or build_matcher()
        if relevance is None:
            relevance = relevance_enabled()
        self.scorers = None
        if relevance:
            from ..relevance.learning import LiveScorers

            self.scorers = LiveScorers(Debate.objects.filter(status=Debate.Status.ACTIVE))
        # Originals are indexed by canonical URL, the one key an item has both
        # before it is stored (a copy may follow it in the same batch) and after.
        self._forget_index()
        self.learn_outlets()

    def learn_outlets(self):
        """Read the outlets' names and aliases, for the citations in items."""
        self.known_outlets = {}
        for outlet in Outlet.objects.only("id", "name", "aliases"):
            for name in outlet.names:
                self.known_outlets.setdefault(" ".join(name.casefold().split()), outlet.id)

    def _refresh_index(self):
        """Add originals stored since the last look (by any process) to the index."""
        recent = CoverageItem.objects.filter(
            duplicate_of__isnull=True,
            fetched_at__gte=timezone.now() - dedupe.WINDOW,
            id__gt=self._indexed_up_to,
        ).exclude(signature=b"")
        rows = recent.values_list("id", "canonical_url", "signature")
        for item_id, url, signature in rows.iterator(CHUNK):
            self.index.add(url, bytes(signature))
            self._stored_ids.setdefault(url, item_id)
            self._indexed_up_to = max(self._indexed_up_to, item_id)

    def outlet_for(self, feed_link, feed_title=""):
        """The outlet a feed without one belongs to, by its site's domain."""
        host = (urlsplit(feed_link).hostname or "").lower().removeprefix("www.")
        if not host:
            return None
        outlet = Outlet.objects.filter(domain=host).first()
        if outlet is None:
            name = (feed_title or host)[:200]
            if Outlet.objects.filter(name=name).exists():
                name = host
            outlet, _ = Outlet.objects.get_or_create(domain=host, defaults={"name": name})
        return outlet

    def ingest(self, entries, *, feed=None, outlet=None, base_url=""):
        summary = IngestSummary()
        cleaned, rejected = {}, Counter()
        for entry in entries:
            item = clean_entry(entry, base_url)
            if isinstance(item, str):
                rejected[item] += 1
                continue
            if item.canonical_url in cleaned:
                summary.items_duplicate += 1
                continue
            cleaned[item.canonical_url] = item
        for reason, count in rejected.items():
            summary.items_rejected += count
            summary.warnings.append(f"{count} entries rejected: {reason}")
        if cleaned:
            try:
                with transaction.atomic():
                    self._store(list(cleaned.values()), feed, outlet, summary)
            except BaseException:
                # The index already holds this batch's originals, which the
                # database no longer does: read it again from what was kept.
                self._forget_index()
                raise
        return summary

    def _forget_index(self):
        """Start the index of recent originals afresh: _refresh_index reads them
        from the database when a batch needs them."""
        self.index = dedupe.NearDuplicateIndex()
        self._stored_ids = {}  # canonical URL of an indexed original -> its id
        self._indexed_up_to = 0

    def _store(self, items, feed, outlet, summary):
        outlet_id = outlet.id if outlet else None
        known = set()
        for urls in chunks([i.canonical_url for i in items]):
            known.update(
                CoverageItem.objects.filter(canonical_url__in=urls).values_list(
                    "canonical_url", flat=True
                )
            )
        if feed is not None:
            guids = [i.guid for i in items if i.guid]
            for chunk in chunks(guids):
                known_guids = set(
                    CoverageItem.objects.filter(feed=feed, guid__in=chunk).values_list(
                        "guid", flat=True
                    )
                )
                known.update(i.canonical_url for i in items if i.guid in known_guids)
        keys = {i.canonical_url: dedupe.title_key(i.title_words, outlet_id) for i in items}
        since = timezone.now() - dedupe.WINDOW
        for chunk in chunks([k for k in keys.values() if k]):
            seen = set(
                CoverageItem.objects.filter(title_key__in=chunk, fetched_at__gte=since).values_list(
                    "title_key", flat=True
                )
            )
            known.update(url for url, key in keys.items() if key in seen)

        fresh = [i for i in items if i.canonical_url not in known]
        summary.items_duplicate += len(items) - len(fresh)
        # One headline per outlet in the batch, too.
        by_key, unique = set(), []
        for item in fresh:
            key = keys[item.canonical_url]
            if key and key in by_key:
                summary.items_duplicate += 1
                continue
            by_key.add(key)
            unique.append(item)
        if not unique:
            return

        self._refresh_index()
        if self.scorers is not None:
            embed_items(unique)
        now = timezone.now()
        rows = {}  # canonical URL -> unsaved CoverageItem
        copies_of_new = {}  # canonical URL of a copy -> canonical URL of its new original
        for item in unique:
            signature = dedupe.signature(item.title_words + item.body_words)
            original = self.index.find(signature)
            original_id = self._stored_ids.get(original)
            cited = [o for o in cited_outlets(item.text, self.known_outlets) if o != outlet_id]
            rows[item.canonical_url] = CoverageItem(
                canonical_url=item.canonical_url,
                url=item.url,
                guid=item.guid,
                title=item.title,
                summary=item.summary,
                content=item.content,
                published_at=item.published_at,
                fetched_at=now,
                outlet_id=outlet_id,
                feed=feed,
                content_hash=dedupe.content_hash(item.title, item.summary, item.content),
                title_key=keys[item.canonical_url],
                signature=signature,
                cited_outlet_id=cited[0] if cited else None,
                duplicate_of_id=original_id,
                embedding=b"" if item.vector is None else to_bytes(item.vector),
            )
            if original is None:
                # Later items of this batch may be copies of this one.
                self.index.add(item.canonical_url, signature)
            elif original_id is None:
                copies_of_new[item.canonical_url] = original  # an original of this batch

        first = [row for url, row in rows.items() if url not in copies_of_new]
        CoverageItem.objects.bulk_create(first, batch_size=CHUNK, ignore_conflicts=True)
        ids = self._ids_of([row.canonical_url for row in first])
        for url, original_url in copies_of_new.items():
            rows[url].duplicate_of_id = ids.get(original_url)
        CoverageItem.objects.bulk_create(
            [rows[url] for url in copies_of_new], batch_size=CHUNK, ignore_conflicts=True
        )
        for row in first:
            if row.duplicate_of_id is None:
                if row.canonical_url in ids:
                    self._stored_ids[row.canonical_url] = ids[row.canonical_url]
                else:
                    self.index.remove(row.canonical_url)
        summary.items_new += len(rows)
        summary.items_near_duplicate += sum(1 for row in rows.values() if row.duplicate_of_id)

        originals = [
            (ids[item.canonical_url], item)
            for item in unique
            if rows[item.canonical_url].duplicate_of_id is None and item.canonical_url in ids
        ]
        summary.flags_created += self.flag(originals)

    def _ids_of(self, urls):
        ids = {}
        for chunk in chunks(urls):
            ids.update(
                CoverageItem.objects.filter(canonical_url__in=chunk).values_list(
                    "canonical_url", "id"
                )
            )
        return ids

    def flag(self, items):
        scorers = self.scorers.current() if self.scorers is not None else None
        return create_flags(self.matcher, items, scorers)


def embed_items(items):
    """Compute the embeddings of CleanItems in one batch."""
    pairs = [(i.title, i.text[len(i.title) + 1 :]) for i in items]
    for item, vector in zip(items, get_embedder().embed_items(pairs), strict=True):
        item.vector = vector
