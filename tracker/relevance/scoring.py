"""How relevant items are to one debate, from vectors alone (no database).

The prior is the cosine of an item to the debate's profile plus a bonus for
how much of the watch query the item contains, turned into a probability by
a fixed logistic curve. The profile is the mean of the debate's passages and
its accepted articles (Rocchio, positives only). An item nearer to a dismissed
article than to the profile and to every accepted article loses the margin,
so stories like dismissed ones sink from the first decisions on, while the
profile, and so the curve, stays put.

A logistic regression fitted on the decisions (over this logit and the
nearest accepted and dismissed similarities) was measured and dropped: the
decided flags are the top of the queue, so a curve fitted on them rates the
rest of the stream far too high (docs/relevance.md).

The constants were chosen on the tuning half of the labelled set
(docs/relevance.md) and are round numbers on purpose.
"""

from dataclasses import dataclass, field

import numpy as np

QUERY_WEIGHT = 0.2  # score added by a full query match; partial matches pro rata
PRIOR_CENTRE = 0.62  # prior score at which an item is as likely relevant as not
PRIOR_SLOPE = 12.0  # logit per unit of prior score
FLAG_AT = 0.04  # relevance at which an item the query missed is flagged (~8x the base rate)
DISMISSED_WEIGHT = 1.0  # score taken off per unit an item is nearer a dismissed article


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _nearest(vectors, others):
    """(best similarity, index) of each vector among others; 0, -1 without others."""
    if others is None or not len(others):
        return np.zeros(len(vectors), np.float32), np.full(len(vectors), -1)
    similarity = vectors @ others.T
    index = similarity.argmax(axis=1)
    return similarity[np.arange(len(vectors)), index], index


@dataclass
class DebateScorer:
    debate_id: int
    profile: np.ndarray
    passages: list
    passage_vectors: np.ndarray
    accepted: list = field(default_factory=list)  # [{"id", "title"}]
    accepted_vectors: np.ndarray | None = None
    dismissed_vectors: np.ndarray | None = None

    def prior_logit(self, vectors, closeness):
        base = vectors @ self.profile
        negative, _ = _nearest(vectors, self.dismissed_vectors)
        # Nearer a dismissed article than to the profile: the kind of story the
        # desk turned down, pushed down by the margin.
        penalty = np.maximum(0.0, negative - base)
        score = base + QUERY_WEIGHT * closeness - DISMISSED_WEIGHT * penalty
        return PRIOR_SLOPE * (score - PRIOR_CENTRE)

    def relevance(self, vectors, closeness):
        """Probabilities (0…1) for unit vectors with their query closeness (0…1)."""
        vectors = np.atleast_2d(vectors)
        return sigmoid(self.prior_logit(vectors, np.asarray(closeness, np.float32)))

    def reasons(self, vectors, closeness):
        """Why each item scores as it does: the nearest accepted article or debate
        passage, with its similarity, and how much of the query it contains."""
        vectors = np.atleast_2d(vectors)
        passage_best, passage_index = _nearest(vectors, self.passage_vectors)
        article_best, article_index = _nearest(vectors, self.accepted_vectors)
        reasons = []
        for row, near in enumerate(np.asarray(closeness, np.float32)):
            if self.accepted and article_best[row] >= passage_best[row]:
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
            reason["query_share"] = round(float(near), 2)
            reasons.append(reason)
        return reasons
