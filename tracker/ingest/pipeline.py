"""From parsed entries to stored coverage and flags, one feed's batch at a time.

A batch is written in one transaction and every write is keyed (canonical
URL, feed + guid, item + debate), so running the same batch twice — a task
redelivered after a crash, two workers on one feed — stores nothing twice.
"""

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from itertools import islice
from urllib.parse import urlsplit

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Actor, CoverageItem, Debate, Flag, Outlet
from ..relevance.embedding import embedding_text, get_embedder, to_bytes
from ..relevance.scoring import FLAG_AT
from ..watchquery import words
from . import dedupe
from .cues import cited_outlets
from .matcher import Matcher
from .text import item_text, sanitise_html, strip_html
from .urls import absolute_http_url, canonical_url, is_http_url

logger = logging.getLogger(__name__)
CHUNK = 500


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
    vector: object = None  # its embedding, once computed


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
        url=link,
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


def relevance_enabled():
    return getattr(settings, "TRACKER_RELEVANCE", True)


def build_matcher(debates=None):
    """A matcher over the given debates (default: every active one) and all actors."""
    if debates is None:
        debates = Debate.objects.filter(status=Debate.Status.ACTIVE)
    actors = [(a.id, a.slug, a.names) for a in Actor.objects.only("id", "slug", "name", "aliases")]
    return Matcher([(d.id, d.watch_query) for d in debates], actors)


def _chunks(values, size=CHUNK):
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


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
        self.index = dedupe.NearDuplicateIndex()
        self._indexed_up_to = 0
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
        for item_id, signature in recent.values_list("id", "signature").iterator(CHUNK):
            self.index.add(item_id, bytes(signature))
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
            with transaction.atomic():
                self._store(list(cleaned.values()), feed, outlet, summary)
        return summary

    def _store(self, items, feed, outlet, summary):
        outlet_id = outlet.id if outlet else None
        known = set()
        for urls in _chunks([i.canonical_url for i in items]):
            known.update(
                CoverageItem.objects.filter(canonical_url__in=urls).values_list(
                    "canonical_url", flat=True
                )
            )
        if feed is not None:
            guids = [i.guid for i in items if i.guid]
            for chunk in _chunks(guids):
                known_guids = set(
                    CoverageItem.objects.filter(feed=feed, guid__in=chunk).values_list(
                        "guid", flat=True
                    )
                )
                known.update(i.canonical_url for i in items if i.guid in known_guids)
        keys = {i.canonical_url: dedupe.title_key(i.title_words, outlet_id) for i in items}
        since = timezone.now() - dedupe.WINDOW
        for chunk in _chunks([k for k in keys.values() if k]):
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
                duplicate_of_id=original if isinstance(original, int) else None,
                embedding=b"" if item.vector is None else to_bytes(item.vector),
            )
            if isinstance(original, str):
                copies_of_new[item.canonical_url] = original
            elif original is None:
                # Later items of this batch may be copies of this one; it has
                # no id yet, so it is indexed under its URL until it is stored.
                self.index.add(item.canonical_url, signature)

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
                self.index.remove(row.canonical_url)
                if row.canonical_url in ids:
                    self.index.add(ids[row.canonical_url], row.signature)
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
        for chunk in _chunks(urls):
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
    texts = [embedding_text(i.title, i.text[len(i.title) + 1 :]) for i in items]
    for item, vector in zip(items, get_embedder().embed(texts), strict=True):
        item.vector = vector


def create_flags(matcher, items, scorers=None):
    """Create the missing flags for (item id, object with title_words and
    body_words) pairs; return how many were created. With scorers ({debate
    id: DebateScorer}) and items that carry a vector, flags get a relevance,
    and items the query missed are flagged when the scorer finds them relevant."""
    flags, actors, plain = [], {}, items
    if scorers:
        plain = [(i, item) for i, item in items if getattr(item, "vector", None) is None]
        scored = [(i, item) for i, item in items if getattr(item, "vector", None) is not None]
        if scored:
            flags, actors = _scored_flags(matcher, scored, scorers)
    for item_id, item in plain:
        for match in matcher.match(item.title_words, item.body_words):
            flags.append(flag_for_match(item_id, match))
            actors[(item_id, match.debate_id)] = match.matched_actor_ids
    if not flags:
        return 0
    existing = set()
    for chunk in _chunks({flag.item_id for flag in flags}):
        existing.update(Flag.objects.filter(item_id__in=chunk).values_list("item_id", "debate_id"))
    new = [flag for flag in flags if (flag.item_id, flag.debate_id) not in existing]
    Flag.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    through = Flag.matched_actors.through
    links = []
    for chunk in _chunks({flag.item_id for flag in new}):
        rows = Flag.objects.filter(item_id__in=chunk).values_list("id", "item_id", "debate_id")
        for flag_id, item_id, debate_id in rows:
            for actor_id in actors.get((item_id, debate_id), ()):
                links.append(through(flag_id=flag_id, actor_id=actor_id))
    through.objects.bulk_create(links, batch_size=CHUNK, ignore_conflicts=True)
    return len(new)


def flag_for_match(item_id, match, relevance=None, reason=None):
    return Flag(
        item_id=item_id,
        debate_id=match.debate_id,
        score=match.score,
        matched_terms=match.matched_terms,
        suggested_stance=match.suggested_stance,
        stance_reasons=match.stance_reasons,
        relevance=relevance,
        reason=reason or {},
    )


def _scored_flags(matcher, items, scorers):
    """Query flags with their relevance, and similarity flags for items the
    query missed (but whose NOT does not exclude them) scored at FLAG_AT or more."""
    assessed = [matcher.assess(item.title_words, item.body_words) for _, item in items]
    vectors = np.vstack([item.vector for _, item in items])
    flags, actors = [], {}
    for debate_id, scorer in scorers.items():
        closeness = np.array([a[1].get(debate_id) or 0.0 for a in assessed], np.float32)
        relevance = scorer.relevance(vectors, closeness)
        for row, (item_id, _) in enumerate(items):
            matches, near, assessment = assessed[row]
            match = next((m for m in matches if m.debate_id == debate_id), None)
            if match is None and (relevance[row] < FLAG_AT or near.get(debate_id, 0.0) is None):
                continue
            reason = scorer.reasons(vectors[row], closeness[row : row + 1])[0]
            value = round(float(relevance[row]), 4)
            if match is not None:
                flags.append(flag_for_match(item_id, match, value, reason))
                actors[(item_id, debate_id)] = match.matched_actor_ids
                continue
            stance, stance_reasons = assessment.stance()
            flags.append(
                Flag(
                    item_id=item_id,
                    debate_id=debate_id,
                    found_by=Flag.FoundBy.SIMILARITY,
                    relevance=value,
                    reason=reason,
                    suggested_stance=stance,
                    stance_reasons=stance_reasons,
                )
            )
            actors[(item_id, debate_id)] = assessment.mentioned()
    # Debates without a scorer (not active when the pipeline was built) keep
    # their query flags.
    for row, (item_id, _) in enumerate(items):
        for match in assessed[row][0]:
            if match.debate_id not in scorers:
                flags.append(flag_for_match(item_id, match))
                actors[(item_id, match.debate_id)] = match.matched_actor_ids
    return flags, actors


@dataclass
class StoredWords:
    title_words: bytes
    body_words: bytes


def stored_item_words(item):
    """The word streams of a stored item, as ingestion computed them."""
    return words(item.title), words(item_text("", item.summary, item.content))


def rematch(debate, since=None, chunk_size=CHUNK):
    """Re-run one debate's watch query over stored originals; create only the
    missing flags. Returns the number created."""
    matcher = build_matcher([debate])
    items = CoverageItem.objects.filter(duplicate_of__isnull=True).only(
        "id", "title", "summary", "content"
    )
    if since is not None:
        items = items.filter(fetched_at__gte=since) | items.filter(published_at__gte=since)
    created = 0
    batch = []
    for item in items.order_by("id").iterator(chunk_size):
        title_words, body_words = stored_item_words(item)
        batch.append((item.id, StoredWords(title_words, body_words)))
        if len(batch) >= chunk_size:
            created += create_flags(matcher, batch)
            batch = []
    if batch:
        created += create_flags(matcher, batch)
    return created


@dataclass
class Preview:
    scanned: int
    matched: int
    items: list  # (CoverageItem, matched terms) for the first matches, newest first


def preview_query(watch_query, limit=20, recent=5000):
    """How a watch query would do on the most recent stored originals.
    Raises QuerySyntaxError for a query that does not parse."""
    from ..watchquery import parse_query

    parse_query(watch_query)
    matcher = build_matcher([Debate(id=0, watch_query=watch_query)])
    items = CoverageItem.objects.filter(duplicate_of__isnull=True).select_related("outlet")
    scanned = matched = 0
    found = []
    for item in items.order_by("-id")[:recent].iterator(CHUNK):
        scanned += 1
        title_words, body_words = stored_item_words(item)
        matches = matcher.match(title_words, body_words)
        if matches:
            matched += 1
            if len(found) < limit:
                found.append((item, matches[0].matched_terms))
    return Preview(scanned, matched, found)
