"""From stored coverage to flags: match items against the debates' watch
queries (and, with relevance on, score them by meaning), create the missing
flags; re-match a debate over stored coverage, and preview a query.

Every flag is keyed (item + debate), so creating the same flags twice — a
batch redelivered, a re-match over items already flagged — stores nothing twice.
"""

from dataclasses import dataclass
from itertools import islice

import numpy as np
from django.conf import settings

from ..desk import OPEN
from ..models import Actor, CoverageItem, Debate, Flag
from ..relevance.lexical import item_stems
from ..relevance.scoring import FLAG_AT
from ..watchquery import parse_query, words
from .debate_cues import lexicon_orientation
from .matcher import Matcher
from .text import item_text

CHUNK = 500


def relevance_enabled():
    return getattr(settings, "TRACKER_RELEVANCE", True)


def build_matcher(debates=None):
    """A matcher over the given debates (default: every active one) and all actors."""
    if debates is None:
        debates = Debate.objects.filter(status=Debate.Status.ACTIVE)
    actors = [(a.id, a.slug, a.names) for a in Actor.objects.only("id", "slug", "name", "aliases")]
    debates = list(debates)
    orientations = {d.id: lexicon_orientation(d.low_label, d.high_label) for d in debates}
    return Matcher([(d.id, d.watch_query) for d in debates], actors, orientations)


def face_new_poles(debate, low_before, high_before):
    """Open flags store the whole article's stance read by the shipped lexicon,
    turned to face their debate's poles as they were (build_matcher). When new
    labels turn that reading around, turn the open flags' suggestions; when the
    new labels do not speak of escalation, drop them, as a flag stored under
    such labels holds none. Decided flags keep the record of their decision.
    How many flags changed."""
    before = lexicon_orientation(low_before, high_before)
    after = lexicon_orientation(debate.low_label, debate.high_label)
    if before == after or before == 0:  # nothing stored to turn, or no turn
        return 0
    flags = Flag.objects.filter(debate=debate, status__in=OPEN, suggested_stance__isnull=False)
    if after == 0:
        return flags.update(suggested_stance=None, stance_reasons=[])
    turned = list(flags.only("id", "suggested_stance", "stance_reasons"))
    for flag in turned:
        flag.suggested_stance = -flag.suggested_stance
        flag.stance_reasons = [
            {**reason, "direction": -reason["direction"]} for reason in flag.stance_reasons
        ]
    Flag.objects.bulk_update(turned, ["suggested_stance", "stance_reasons"])
    return len(turned)


def chunks(values, size=CHUNK):
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


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
    for chunk in chunks({flag.item_id for flag in flags}):
        existing.update(Flag.objects.filter(item_id__in=chunk).values_list("item_id", "debate_id"))
    new = [flag for flag in flags if (flag.item_id, flag.debate_id) not in existing]
    Flag.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    through = Flag.matched_actors.through
    links = []
    for chunk in chunks({flag.item_id for flag in new}):
        rows = Flag.objects.filter(item_id__in=chunk).values_list("id", "item_id", "debate_id")
        for flag_id, item_id, debate_id in rows:
            for actor_id in actors.get((item_id, debate_id), ()):
                links.append(through(flag_id=flag_id, actor_id=actor_id))
    through.objects.bulk_create(links, batch_size=CHUNK, ignore_conflicts=True)
    return len(new)


def flag_for_match(item_id, match, relevance=None, reason=None):
    """The unsaved Flag of a DebateMatch, whose fields are the Flag's own but for
    the actors: a many-to-many, linked once the flag has an id."""
    fields = {name: value for name, value in vars(match).items() if name != "matched_actor_ids"}
    return Flag(item_id=item_id, **fields, relevance=relevance, reason=reason or {})


def _scored_flags(matcher, items, scorers):
    """Query flags with their relevance, and similarity flags for items the
    query missed (but whose NOT does not exclude them) scored at FLAG_AT or more."""
    assessed = [matcher.assess(item.title_words, item.body_words) for _, item in items]
    vectors = np.vstack([item.vector for _, item in items])
    stem_lists = [item_stems(item.title_words, item.body_words) for _, item in items]
    flags, actors = [], {}
    for debate_id, scorer in scorers.items():
        closeness = np.array([a[1].get(debate_id) or 0.0 for a in assessed], np.float32)
        relevance = scorer.relevance(vectors, closeness, stem_lists)
        for row, (item_id, _) in enumerate(items):
            matches, near, assessment = assessed[row]
            match = next((m for m in matches if m.debate_id == debate_id), None)
            if match is None and (relevance[row] < FLAG_AT or near.get(debate_id, 0.0) is None):
                continue
            reason = scorer.reasons(
                vectors[row], closeness[row : row + 1], stem_lists[row : row + 1], [item_id]
            )[0]
            value = round(float(relevance[row]), 4)
            if match is not None:
                flags.append(flag_for_match(item_id, match, value, reason))
                actors[(item_id, debate_id)] = match.matched_actor_ids
                continue
            stance, stance_reasons = assessment.stance(debate_id)
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
    # Scanned as stored, newest first; listed by their own dates, undated last.
    found.sort(
        key=lambda pair: (pair[0].published_at is not None, pair[0].published_at), reverse=True
    )
    return Preview(scanned, matched, found)
