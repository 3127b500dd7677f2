"""The per-debate classifier learnt from the desk's decisions, with the real
model on small real texts: what the desk dismissed sinks, what it accepted
rises, and a scorer without decisions is left as it was."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from tracker.models import CoverageItem, Flag, RelevanceModel
from tracker.relevance import classifier, scoring
from tracker.relevance.embedding import get_embedder
from tracker.relevance.scoring import MIN_SAMPLE

from . import factories as f
from .test_relevance import (
    AIRSPACE,
    INCURSION,
    PARAPHRASE,
    STRIKES,
    UNRELATED,
    flag_of,
    import_entries,
)

# Ordinary news: the stream a classifier measures "not this debate" on.
STREAM = [
    UNRELATED,
    ("Central bank holds interest rates as inflation cools", "Markets had expected the pause."),
    ("Heatwave grips southern Europe", "Spain and Italy recorded temperatures above 44C."),
    ("Striking rail workers reach a deal on pay", "Trains will run normally from Monday."),
    ("Chip maker's profits soar on demand for AI servers", "Its shares rose by a tenth."),
    ("Floods force thousands from their homes in Bangladesh", "Monsoon rains came early."),
    ("Peace talks on Ukraine end without agreement", "Envoys will meet again in Geneva."),
    ("Kremlin opposition figure jailed for nineteen more years", "His lawyers will appeal."),
]


def rows_of(pairs):
    return get_embedder().embed_items(pairs)


def text_of(pairs):
    return rows_of(pairs)[:, : scoring.DIMENSIONS]


def passages():
    return [AIRSPACE["title"], AIRSPACE["question"], AIRSPACE["summary"]]


def test_a_story_like_the_dismissed_ones_scores_below_one_like_the_accepted():
    embedder = get_embedder()
    positives = np.vstack([embedder.embed(passages()), text_of([INCURSION])])
    weights = classifier.fit(positives, text_of(STRIKES[:2]), text_of(STREAM))
    strike, paraphrase = text_of([STRIKES[2], PARAPHRASE]) @ weights
    assert paraphrase > strike
    # And the debate's own kind of story stands out from ordinary news.
    assert paraphrase > (text_of(STREAM) @ weights).max()


def scorer(with_classifier):
    embedder = get_embedder()
    texts = passages()
    vectors = embedder.embed(texts)
    profile = vectors.mean(axis=0) / np.linalg.norm(vectors.mean(axis=0))
    stream = rows_of([*STREAM, *STRIKES, INCURSION, PARAPHRASE])
    result = scoring.DebateScorer(1, profile, texts, vectors)
    meaning = result.meaning(stream, np.zeros(len(stream), np.float32))
    # Words are left out (an empty vocabulary scores 0 everywhere): meaning
    # and the classifier alone.
    result.stats = {"meaning": [float(meaning.mean()), float(meaning.std())], "words": [0, 1]}
    if with_classifier:
        text = stream[:, : scoring.DIMENSIONS]
        positives = np.vstack([vectors, text_of([INCURSION])])
        result.classifier = classifier.fit(positives, text_of(STRIKES[:2]), text)
        learnt = text @ result.classifier
        result.stats["classifier"] = [float(learnt.mean()), float(learnt.std()), 1.0]
    return result


def test_the_classifier_lowers_a_dismissed_kind_of_story_relative_to_the_debates_own():
    rows = rows_of([STRIKES[2], PARAPHRASE])
    stems = [None, None]
    closeness = np.zeros(2, np.float32)

    def gap(scorer):
        strike, paraphrase = scorer.prior_logit(rows, closeness, stems)
        return paraphrase - strike

    assert gap(scorer(with_classifier=True)) > gap(scorer(with_classifier=False)) + 0.5


def test_without_decisions_the_scorer_has_no_classifier_and_scores_as_before():
    plain = scorer(with_classifier=False)
    assert plain.classifier is None
    rows = rows_of([PARAPHRASE])
    before = plain.prior_logit(rows, np.zeros(1, np.float32), [None])
    plain.stats["classifier"] = [0.0, 1.0, 0.5]  # stats alone change nothing
    assert plain.prior_logit(rows, np.zeros(1, np.float32), [None]) == before


@pytest.mark.django_db
def test_retraining_after_a_dismissal_stores_a_classifier_that_sinks_its_kind(tmp_path):
    airspace = f.DebateFactory(**AIRSPACE)
    CoverageItem.objects.bulk_create(
        CoverageItem(
            canonical_url=f"https://stream.example/{n}",
            url=f"https://stream.example/{n}",
            title=f"{STREAM[n % len(STREAM)][0]} ({n})",
        )
        for n in range(MIN_SAMPLE)
    )
    entries = [(f"t{n}", story) for n, story in enumerate(STRIKES)]
    import_entries(tmp_path, [*entries, ("i", INCURSION)])
    call_command("rematch", "--debate", "airspace", stdout=StringIO())
    assert RelevanceModel.objects.get(debate=airspace).classifier == b""  # nothing decided

    strikes = [flag_of(airspace, f"t{n}") for n in range(3)]
    Flag.objects.filter(id__in=[strikes[0].id, strikes[1].id]).update(
        status="dismissed", decided_at=timezone.now()
    )
    call_command("rematch", "--debate", "airspace", stdout=StringIO())
    model = RelevanceModel.objects.get(debate=airspace)
    assert len(bytes(model.classifier)) == 256 * 2  # float16 weights over the text vector
    assert len(model.stats["classifier"]) == 3  # mean, spread, shrink on the stream

    strikes[2].refresh_from_db()
    assert flag_of(airspace, "i").relevance > 10 * strikes[2].relevance
