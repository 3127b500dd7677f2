"""Each debate's relevance model: built from the debate's own texts and the
desk's decisions (read from flag statuses, however they were made), stored,
and used to score open flags and stored coverage."""

import math

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from ..ingest.text import item_text
from ..models import CoverageItem, Debate, Evidence, Flag, RelevanceModel
from ..watchquery import words
from . import classifier, scoring
from .embedding import (
    DIMENSIONS,
    embedding_text,
    from_bytes,
    get_embedder,
    is_item_row,
    matrix_from_bytes,
    to_bytes,
)
from .lexical import Lexicon, item_stems

CHUNK = 500
MAX_EXAMPLES = 500  # newest accepted and dismissed articles a model keeps
STREAM_SAMPLE = 5000  # recent originals that tell a word's rarity and a channel's spread
HTML_HEAD = 8000  # characters of a stored item's HTML read for its stems


def debate_passages(debate):
    """The debate's own words: what its profile starts from, and what a
    suggestion is explained by when no accepted article is nearer."""
    passages = [debate.title]
    question = f"{debate.question} ({debate.low_label} or {debate.high_label})"
    passages += [text for text in (question, debate.summary) if text.strip()]
    for proposal in debate.proposals.all():
        passages.append(f"{proposal.title}. {proposal.description}".strip(". "))
    return passages


def debate_texts(debate):
    """The debate's vocabulary: its passages and the quotes of its evidence."""
    quotes = (
        Evidence.objects.filter(position__debate=debate, superseded_at=None)
        .exclude(quote="")
        .order_by("id")
        .values_list("quote", flat=True)
        .distinct()[:MAX_EXAMPLES]
    )
    return debate_passages(debate) + list(quotes)


def text_of(item):
    """An item's title and the start of its text, as it is embedded."""
    return embedding_text(
        item.title, item_text("", item.summary[:HTML_HEAD], item.content[:HTML_HEAD])
    )


def head_words(item):
    """The word streams of a stored item's title and the start of its text:
    enough for its stems (lexical.MAX_BODY_BYTES), without reading a long
    article's whole HTML."""
    return words(item.title), words(
        item_text("", item.summary[:HTML_HEAD], item.content[:HTML_HEAD])
    )


def stems_of(item):
    return item_stems(*head_words(item))


def ensure_embeddings(items):
    """{item id: row [text | title]} for CoverageItems, computing and storing
    (once) the rows of those that have none yet, or one of an older width."""
    items = list(items)
    missing = [item for item in items if not is_item_row(item.embedding)]
    if missing:
        vectors = get_embedder().embed_items(
            (item.title, item_text("", item.summary, item.content)) for item in missing
        )
        for item, vector in zip(missing, vectors, strict=True):
            item.embedding = to_bytes(vector)
        CoverageItem.objects.bulk_update(missing, ["embedding"], batch_size=CHUNK)
    matrix = from_bytes([item.embedding for item in items])
    return {item.id: matrix[row] for row, item in enumerate(items)}


def decisions_fingerprint(debate_id):
    """Changes whenever a flag of the debate is decided or undecided, or its
    evidence changes: the signal to learn again."""
    decided = Flag.objects.filter(
        debate_id=debate_id, status__in=[Flag.Status.ACCEPTED, Flag.Status.DISMISSED]
    ).aggregate(
        accepted=Count("id", filter=Q(status=Flag.Status.ACCEPTED)),
        dismissed=Count("id", filter=Q(status=Flag.Status.DISMISSED)),
        last=Max("decided_at"),
    )
    evidence = Evidence.objects.filter(position__debate_id=debate_id).count()
    last = decided["last"].isoformat() if decided["last"] else "-"
    # Word rarity and the channels' spread are learnt from the stream: learn
    # again each time it doubles.
    newest = CoverageItem.objects.order_by("-id").values_list("id", flat=True).first() or 0
    stream = int(math.log2(newest)) if newest else 0
    return f"{decided['accepted']}/{decided['dismissed']}/{evidence}/{last}/{stream}"


def stream_sample():
    """The most recent stored originals: the stream a model measures itself on."""
    return list(
        CoverageItem.objects.filter(duplicate_of__isnull=True)
        .only("id", "title", "summary", "content", "embedding")
        .order_by("-id")[:STREAM_SAMPLE]
    )


def stream_stats(scorer, debate, sample, sample_words, sample_stems):
    """Mean and spread of each channel on the stream sample (the defaults
    until there are enough items to tell). Once the desk has dismissed a
    flag, the scorer's classifier is fitted against the same sample."""
    from ..ingest.flagging import build_matcher

    if len(sample) < scoring.MIN_SAMPLE:
        return dict(scoring.DEFAULT_STATS)
    vectors = ensure_embeddings(sample)
    rows = np.vstack([vectors[item.id] for item in sample])
    matcher = build_matcher([debate])
    closeness = np.array(
        [matcher.closeness(*pair).get(debate.id) or 0.0 for pair in sample_words], np.float32
    )
    meaning = scorer.meaning(rows, closeness, dismissed=False)
    lexical = scorer.words(sample_stems)
    stats = {
        "meaning": [round(float(meaning.mean()), 4), round(float(meaning.std()), 4)],
        "words": [round(float(lexical.mean()), 5), round(float(lexical.std()), 5)],
    }
    if len(scorer.dismissed_vectors):
        # The desk has decided both ways: learn what tells its kinds of story apart.
        text = rows[:, :DIMENSIONS]
        positives = np.vstack([scorer.passage_vectors, scorer.accepted_vectors])
        scorer.classifier = classifier.fit(positives, scorer.dismissed_vectors, text)
        learnt = text @ scorer.classifier
        mean, spread = float(learnt.mean()), float(learnt.std())
        # The channels' sum on the sample, without and with the classifier.
        alone = scoring.standard(meaning, stats["meaning"])
        alone += scoring.LEXICAL_WEIGHT * scoring.standard(lexical, stats["words"])
        joined = alone + scoring.CLASSIFIER_WEIGHT * scoring.standard(learnt, [mean, spread])
        shrink = float(alone.std()) / max(float(joined.std()), 1e-6)
        stats["classifier"] = [round(mean, 5), round(spread, 5), round(shrink, 4)]
    return stats


def _stack(vectors):
    return np.vstack(vectors) if vectors else np.zeros((0, DIMENSIONS), np.float32)


def train(debate, store=True, known_stems=None, stream=True):
    """Build the debate's scorer from its texts and decided flags, and store
    it as its RelevanceModel (unless store is false). known_stems, a dict,
    gets the stems of the stream sample by item id, for the caller to reuse.
    Without stream, no sample is read: word rarity and the channels' spread
    keep their defaults (the meaning channel alone)."""
    fingerprint = decisions_fingerprint(debate.id)
    passages = debate_passages(debate)
    passage_vectors = get_embedder().embed(passages)
    sample = stream_sample() if stream else []
    # The channels' spread is measured on the start of each item (the query's
    # closeness too): a close estimate, at a fraction of reading every article.
    sample_words = [head_words(item) for item in sample]
    sample_stems = [item_stems(*pair) for pair in sample_words]
    if known_stems is not None:
        known_stems.update(zip((item.id for item in sample), sample_stems, strict=True))

    decided = list(
        Flag.objects.filter(debate=debate, status__in=[Flag.Status.ACCEPTED, Flag.Status.DISMISSED])
        .select_related("item")
        .order_by("-decided_at", "-id")[: 2 * MAX_EXAMPLES]
    )
    evidence_items = list(
        CoverageItem.objects.filter(
            evidence__position__debate=debate, evidence__superseded_at=None
        ).distinct()[:MAX_EXAMPLES]
    )
    vectors = ensure_embeddings([flag.item for flag in decided] + evidence_items)

    accepted, seen = [], set()
    for item in [f.item for f in decided if f.status == Flag.Status.ACCEPTED] + evidence_items:
        if item.id not in seen and len(accepted) < MAX_EXAMPLES:
            seen.add(item.id)
            accepted.append(item)
    dismissed = [
        f.item for f in decided if f.status == Flag.Status.DISMISSED and f.item_id not in seen
    ][:MAX_EXAMPLES]
    accepted_vectors = _stack([vectors[item.id][:DIMENSIONS] for item in accepted])
    dismissed_vectors = _stack([vectors[item.id][:DIMENSIONS] for item in dismissed])

    # Rocchio: the debate's words and what the desk accepted, weighed alike.
    # Dismissed articles act through the scorer's margin instead: taking their
    # mean off the profile would tilt it, and the prior's curve with it.
    profile = passage_vectors.mean(axis=0)
    if len(accepted_vectors):
        profile = profile + accepted_vectors.mean(axis=0)
    profile = profile / max(float(np.linalg.norm(profile)), 1e-12)

    scorer = scoring.DebateScorer(
        debate_id=debate.id,
        profile=profile,
        passages=passages,
        passage_vectors=passage_vectors,
        accepted=[{"id": item.id, "title": item.title} for item in accepted],
        accepted_vectors=accepted_vectors,
        dismissed_vectors=dismissed_vectors,
        # The desk's accepted articles add their words to the debate's own.
        lexicon=Lexicon.fit(
            debate_texts(debate) + [text_of(item) for item in accepted], sample_stems
        ),
    )
    scorer.stats = stream_stats(scorer, debate, sample, sample_words, sample_stems)
    if not store:
        return scorer
    RelevanceModel.objects.update_or_create(
        debate=debate,
        defaults=dict(
            profile=to_bytes(profile),
            passages=passages,
            passage_vectors=to_bytes(passage_vectors),
            accepted_items=scorer.accepted,
            accepted_vectors=to_bytes(accepted_vectors),
            dismissed_items=[item.id for item in dismissed],
            dismissed_vectors=to_bytes(dismissed_vectors),
            lexicon=scorer.lexicon.as_dict(),
            stats=scorer.stats,
            classifier=b"" if scorer.classifier is None else to_bytes(scorer.classifier),
            decisions=len(decided),
            fingerprint=fingerprint,
            trained_at=timezone.now(),
        ),
    )
    return scorer


def query_closeness(debate, items):
    """Each item's closeness to the debate's watch query (None: its NOT excludes)."""
    from ..ingest.flagging import build_matcher, stored_item_words

    matcher = build_matcher([debate])
    result = []
    for item in items:
        near = matcher.closeness(*stored_item_words(item)).get(debate.id, 0.0)
        result.append(near)
    return result


def scorer_from(model):
    return scoring.DebateScorer(
        debate_id=model.debate_id,
        profile=matrix_from_bytes(model.profile)[0],
        passages=model.passages,
        passage_vectors=matrix_from_bytes(model.passage_vectors),
        accepted=model.accepted_items,
        accepted_vectors=matrix_from_bytes(model.accepted_vectors),
        dismissed_vectors=matrix_from_bytes(model.dismissed_vectors),
        lexicon=Lexicon.from_dict(model.lexicon),
        stats=model.stats or dict(scoring.DEFAULT_STATS),
        classifier=matrix_from_bytes(model.classifier)[0] if model.classifier else None,
    )


def scorers_for(debates):
    """{debate id: DebateScorer} for the debates. One without a stored model
    is built in memory, without reading the stream (cheap, the meaning channel
    alone): storing a full one is the training task's job (beat finds it
    within a minute), so concurrent ingestion never races to write it."""
    debates = list(debates)
    models = {m.debate_id: m for m in RelevanceModel.objects.filter(debate__in=debates)}
    scorers = {}
    for debate in debates:
        model = models.get(debate.id)
        scorers[debate.id] = (
            scorer_from(model) if model else train(debate, store=False, stream=False)
        )
    return scorers


class LiveScorers:
    """The scorers of a set of debates, reloaded when any model is retrained
    (by another process, too): ingestion keeps one of these."""

    def __init__(self, debates):
        self.debates = list(debates)
        self._key, self._scorers = None, {}

    def current(self):
        key = self._models_key()
        if key != self._key:
            self._scorers, self._key = scorers_for(self.debates), key
        return self._scorers

    @staticmethod
    def _models_key():
        return tuple(
            RelevanceModel.objects.aggregate(n=Count("debate"), t=Max("trained_at")).values()
        )


def needs_training(debates=None):
    """Ids of the debates (default: the active ones) whose decisions changed
    since their model was trained."""
    if debates is None:
        debates = Debate.objects.filter(status=Debate.Status.ACTIVE)
    stale = []
    for debate in debates:
        model = RelevanceModel.objects.filter(debate=debate).only("fingerprint").first()
        if model is None or model.fingerprint != decisions_fingerprint(debate.id):
            stale.append(debate.id)
    return stale


def rescore_open_flags(debate, scorer):
    """Give the debate's open flags the model's relevance and reason."""
    flags = list(
        Flag.objects.filter(debate=debate, status__in=[Flag.Status.NEW, Flag.Status.CLAIMED])
        .select_related("item")
        .order_by("id")
    )
    for start in range(0, len(flags), CHUNK):
        chunk = flags[start : start + CHUNK]
        vectors = ensure_embeddings([flag.item for flag in chunk])
        matrix = np.vstack([vectors[flag.item_id] for flag in chunk])
        closeness = np.array(
            [c or 0.0 for c in query_closeness(debate, [f.item for f in chunk])], np.float32
        )
        chunk_stems = [stems_of(flag.item) for flag in chunk]
        relevance = scorer.relevance(matrix, closeness, chunk_stems)
        reasons = scorer.reasons(matrix, closeness, chunk_stems, [f.item_id for f in chunk])
        for flag, value, reason in zip(chunk, relevance, reasons, strict=True):
            flag.relevance, flag.reason = round(float(value), 4), reason
        Flag.objects.bulk_update(chunk, ["relevance", "reason"], batch_size=CHUNK)
    return len(flags)


def flag_similar(debate, scorer, since=None, known_stems=None):
    """Flag stored originals the query missed but the model finds relevant;
    returns how many flags were created."""
    known_stems = known_stems or {}
    from ..ingest.flagging import build_matcher, stored_item_words

    items = CoverageItem.objects.filter(duplicate_of__isnull=True).exclude(flags__debate=debate)
    if since is not None:
        items = items.filter(Q(fetched_at__gte=since) | Q(published_at__gte=since))
    matcher = build_matcher([debate])
    created = 0
    ids = list(items.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = list(CoverageItem.objects.filter(id__in=ids[start : start + CHUNK]))
        vectors = ensure_embeddings(chunk)
        matrix = np.vstack([vectors[item.id] for item in chunk])
        chunk_stems = [known_stems.get(item.id) or stems_of(item) for item in chunk]
        # A full query match is the most the query can add: items below the
        # bar even so are not worth reading.
        best_case = scorer.relevance(matrix, np.ones(len(chunk), np.float32), chunk_stems)
        for row in np.flatnonzero(best_case >= scoring.FLAG_AT):
            item = chunk[row]
            matches, closeness, assessment = matcher.assess(*stored_item_words(item))
            near = closeness.get(debate.id, 0.0)
            if matches or near is None:
                continue  # the query's own flag, or excluded by its NOT
            mine = [chunk_stems[row]]
            value = float(scorer.relevance(matrix[row], [near], mine)[0])
            if value < scoring.FLAG_AT:
                continue
            created += _create_similarity_flag(
                item.id,
                debate.id,
                value,
                scorer.reasons(matrix[row], [near], mine, [item.id])[0],
                assessment,
            )
    return created


def _create_similarity_flag(item_id, debate_id, relevance, reason, assessment):
    stance, stance_reasons = assessment.stance(debate_id)
    with transaction.atomic():
        flag, created = Flag.objects.get_or_create(
            item_id=item_id,
            debate_id=debate_id,
            defaults=dict(
                found_by=Flag.FoundBy.SIMILARITY,
                relevance=round(relevance, 4),
                reason=reason,
                suggested_stance=stance,
                stance_reasons=stance_reasons,
            ),
        )
        if created:
            flag.matched_actors.set(assessment.mentioned())
    return int(created)


def relearn(debate, since=None):
    """Train the debate's model, re-score its open flags and flag similar
    stored coverage. Returns (open flags re-scored, similarity flags created)."""
    known_stems = {}
    scorer = train(debate, known_stems=known_stems)
    rescored = rescore_open_flags(debate, scorer)
    return rescored, flag_similar(debate, scorer, since=since, known_stems=known_stems)
