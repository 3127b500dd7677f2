"""How relevant items are to one debate, from vectors alone (no database).

The prior, used until the desk has decided enough flags, is the cosine of an
item to the debate's profile plus a bonus for how much of the watch query the
item contains, turned into a probability by a fixed logistic curve. Once
there are decisions of both kinds, a logistic regression fitted on them takes
the prior's logit and the item's similarity to the nearest accepted and the
nearest dismissed article, so stories like dismissed ones sink.

The constants were chosen on the tuning half of the labelled set
(docs/relevance.md) and are round numbers on purpose.
"""

from dataclasses import dataclass, field

import numpy as np

QUERY_WEIGHT = 0.2  # score added by a full query match; partial matches pro rata
PRIOR_CENTRE = 0.62  # prior score at which an item is as likely relevant as not
PRIOR_SLOPE = 12.0  # logit per unit of prior score
FLAG_AT = 0.5  # relevance at which an item the query missed is flagged anyway
MIN_DECISIONS_EACH = 2  # accepted and dismissed flags needed to fit the calibration


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _nearest(vectors, others, exclude=None):
    """(best similarity, index) of each vector among others; 0, -1 without others."""
    if others is None or not len(others):
        return np.zeros(len(vectors), np.float32), np.full(len(vectors), -1)
    similarity = vectors @ others.T
    if exclude is not None:
        similarity[exclude] = -np.inf
    index = similarity.argmax(axis=1)
    best = similarity[np.arange(len(vectors)), index]
    return np.where(np.isfinite(best), best, 0.0), index


@dataclass
class DebateScorer:
    debate_id: int
    profile: np.ndarray
    passages: list
    passage_vectors: np.ndarray
    accepted: list = field(default_factory=list)  # [{"id", "title"}]
    accepted_vectors: np.ndarray | None = None
    dismissed_vectors: np.ndarray | None = None
    weights: dict = field(default_factory=dict)

    def prior_logit(self, vectors, closeness):
        score = vectors @ self.profile + QUERY_WEIGHT * closeness
        return PRIOR_SLOPE * (score - PRIOR_CENTRE)

    def features(self, vectors, closeness, accepted_self=None, dismissed_self=None):
        """One row per item: the prior's logit, nearest accepted, nearest dismissed.
        *_self masks (items by articles) leave an item's own decision out."""
        positive, _ = _nearest(vectors, self.accepted_vectors, accepted_self)
        negative, _ = _nearest(vectors, self.dismissed_vectors, dismissed_self)
        return np.column_stack(
            [self.prior_logit(vectors, closeness), PRIOR_SLOPE * positive, PRIOR_SLOPE * negative]
        )

    def relevance(self, vectors, closeness):
        """Probabilities (0…1) for unit vectors with their query closeness (0…1)."""
        vectors = np.atleast_2d(vectors)
        closeness = np.asarray(closeness, np.float32)
        if not self.weights:
            return sigmoid(self.prior_logit(vectors, closeness))
        coefficients = np.asarray(self.weights["coefficients"], np.float32)
        logit = self.features(vectors, closeness) @ coefficients + self.weights["intercept"]
        return sigmoid(logit)

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


def fit_weights(scorer, vectors, closeness, labels, accepted_self, dismissed_self):
    """The calibration's weights fitted on decided items (labels 1 accepted,
    0 dismissed); {} while there are too few decisions of either kind."""
    labels = np.asarray(labels)
    if min((labels == 1).sum(), (labels == 0).sum()) < MIN_DECISIONS_EACH:
        return {}
    from sklearn.linear_model import LogisticRegression

    features = scorer.features(vectors, closeness, accepted_self, dismissed_self)
    model = LogisticRegression(C=1.0, class_weight="balanced")
    model.fit(features, labels)
    return {
        "coefficients": [round(float(c), 6) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "features": ["prior_logit", "nearest_accepted", "nearest_dismissed"],
    }
