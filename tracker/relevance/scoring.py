"""How relevant items are to one debate, from vectors and words alone (no database).

Two channels, each measured against the stream of coverage itself:

- **meaning**: the cosine of the item's text (and, apart, of its title: titles
  carry the topic) to the debate's profile, plus a bonus for how much of the
  watch query the item contains. The profile is the mean of the debate's
  passages and its accepted articles (Rocchio, positives only). An item
  nearer to a dismissed article than to the profile loses the margin, so
  stories like dismissed ones sink from the first decisions on.
- **words**: the share of the debate's own weighted vocabulary the item uses
  (lexical.py, BM25 with word rarity counted on the stream).

Each channel is put in standard units of the stream (its mean and spread on a
sample of recent coverage, learnt with the model) and the two are added: an
item far above the stream on both is the debate's. Once the desk has dismissed
a flag, a third term joins them: the per-debate classifier's score
(classifier.py), in standard units of the stream too. A fixed logistic curve
turns the sum into a probability.

A logistic curve fitted on the decisions alone was measured and dropped: the
decided flags are the top of the queue, so a curve fitted on them rates the
rest of the stream far too high (docs/relevance.md). The classifier only
re-ranks; the curve stays the one fitted on the labelled set.

The constants were chosen on the tuning half of the labelled set
(docs/relevance.md) and are round numbers on purpose.
"""

from dataclasses import dataclass, field

import numpy as np

from .embedding import DIMENSIONS
from .lexical import Lexicon

TITLE_WEIGHT = 0.3  # share of the meaning channel read from the title alone
QUERY_WEIGHT = 0.2  # cosine added by a full query match; partial matches pro rata
DISMISSED_WEIGHT = 2.0  # cosine taken off per unit an item is nearer a dismissed article
LEXICAL_WEIGHT = 1.0  # the words channel counts as much as the meaning one
CLASSIFIER_WEIGHT = 1.0  # the classifier's standard units added to the sum, once it is fitted
# The curve is a logistic fit of the tune half's labels as the app scores them in
# the database (its stream sample: bench/relevance.py), not on the whole corpus
# offline, whose spread is wider: there the figures ran 1.7-2.4x high.
PRIOR_CENTRE = 12.8  # channels' sum (standard units) at which relevant is as likely as not
PRIOR_SLOPE = 0.6  # logit per standard unit
# Until the stream is large enough to tell how rare a word is, the meaning
# channel alone, on its own curve.
MEANING_CENTRE = 6.3
MEANING_SLOPE = 1.1
FLAG_AT = 0.04  # relevance at which an item the query missed is flagged (~8x the base rate)
# The stream's spread of each channel when too little coverage is stored to
# measure it (the labelled corpus's, 5,700 items, for the demo debate).
DEFAULT_STATS = {"meaning": [0.05, 0.085], "words": None}
MIN_SAMPLE = 1000  # stored items needed to measure the stream's spread
TERMS_SHOWN = 6


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _nearest(vectors, others):
    """(best similarity, index) of each vector among others; 0, -1 without others."""
    if others is None or not len(others):
        return np.zeros(len(vectors), np.float32), np.full(len(vectors), -1)
    similarity = vectors @ others.T
    index = similarity.argmax(axis=1)
    return similarity[np.arange(len(vectors)), index], index


def standard(values, stats):
    mean, spread = stats
    return (values - mean) / max(spread, 1e-6)


@dataclass
class DebateScorer:
    debate_id: int
    profile: np.ndarray
    passages: list
    passage_vectors: np.ndarray
    accepted: list = field(default_factory=list)  # [{"id", "title"}]
    accepted_vectors: np.ndarray | None = None
    dismissed_vectors: np.ndarray | None = None
    lexicon: Lexicon = field(default_factory=lambda: Lexicon({}, 100.0))
    stats: dict = field(default_factory=lambda: dict(DEFAULT_STATS))
    classifier: np.ndarray | None = None  # weights over the text vector (classifier.py)

    def meaning(self, rows, closeness, dismissed=True):
        """The meaning channel in cosine units, for item rows [text | title]."""
        text, title = rows[:, :DIMENSIONS], rows[:, DIMENSIONS:]
        base = (1 - TITLE_WEIGHT) * (text @ self.profile) + TITLE_WEIGHT * (title @ self.profile)
        score = base + QUERY_WEIGHT * closeness
        if dismissed:
            negative, _ = _nearest(text, self.dismissed_vectors)
            # Nearer a dismissed article than to the profile: the kind of story
            # the desk turned down, pushed down by the margin.
            score = score - DISMISSED_WEIGHT * np.maximum(0.0, negative - text @ self.profile)
        return score

    def words(self, stem_lists):
        return self.lexicon.score(stem_lists)

    def prior_logit(self, rows, closeness, stem_lists):
        total = standard(self.meaning(rows, closeness), self.stats["meaning"])
        if not self.stats.get("words"):
            return MEANING_SLOPE * (total - MEANING_CENTRE)
        total = total + LEXICAL_WEIGHT * standard(self.words(stem_lists), self.stats["words"])
        if self.classifier is not None and self.stats.get("classifier"):
            learnt = rows[:, :DIMENSIONS] @ self.classifier
            mean, spread, shrink = self.stats["classifier"]
            # Shrunk back to the spread the sum had without it: the classifier
            # re-orders, the curve (fitted without it) keeps its meaning.
            total = shrink * (total + CLASSIFIER_WEIGHT * standard(learnt, [mean, spread]))
        return PRIOR_SLOPE * (total - PRIOR_CENTRE)

    def relevance(self, rows, closeness, stem_lists):
        """Probabilities (0…1) for item rows with their query closeness (0…1)
        and their stems (lexical.item_stems)."""
        rows = np.atleast_2d(rows)
        closeness = np.asarray(closeness, np.float32)
        return sigmoid(self.prior_logit(rows, closeness, stem_lists))

    def reasons(self, rows, closeness, stem_lists, item_ids=None):
        """Why each item scores as it does: the nearest accepted article (other
        than the item itself, given item_ids) or debate passage, with its
        similarity, the debate's words it uses, and how much of the query it
        contains."""
        rows = np.atleast_2d(rows)
        text = rows[:, :DIMENSIONS]
        passage_best, passage_index = _nearest(text, self.passage_vectors)
        others = self.accepted_vectors
        if item_ids is not None and self.accepted:
            # An accepted article is not explained by itself.
            accepted_ids = np.array([article["id"] for article in self.accepted])
            similarity = text @ others.T
            similarity[accepted_ids[None, :] == np.asarray(item_ids)[:, None]] = -1.0
            article_index = similarity.argmax(axis=1)
            article_best = similarity[np.arange(len(text)), article_index]
        else:
            article_best, article_index = _nearest(text, others)
        reasons = []
        for row, near in enumerate(np.asarray(closeness, np.float32)):
            if self.accepted and article_best[row] >= max(passage_best[row], 0.0):
                article = self.accepted[article_index[row]]
                reason = {
                    "nearest": "article",
                    "item_id": article["id"],
                    "title": article["title"],
                    "similarity": round(float(article_best[row]), 3),
                }
            elif self.passages:
                reason = {
                    "nearest": "debate",
                    "passage": self.passages[passage_index[row]],
                    "similarity": round(float(passage_best[row]), 3),
                }
            else:
                reason = {}
            reason["terms"] = self.lexicon.words_in(stem_lists[row])[:TERMS_SHOWN]
            reason["query_share"] = round(float(near), 2)
            reasons.append(reason)
        return reasons
