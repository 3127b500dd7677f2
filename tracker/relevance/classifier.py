"""The desk's decisions as a per-debate classifier over item vectors.

A logistic regression (L2-regularised, fitted by scipy's L-BFGS) separates
what the debate is about — its passages and the articles the desk accepted
— from what it is not: the articles the desk dismissed, and the stream of
coverage itself as unlabelled negatives (almost every story in it is about
something else; together they weigh as much as the positives, so the stream
sets the direction of "ordinary news" without drowning the decisions).

It is fitted once the desk has dismissed a flag (its accepted articles and
its evidence are the positives, with the debate's passages), and used only
to re-rank, through its score in standard units of the stream
(scoring.py). Fitted on the decided flags alone, a calibrated curve rated
the whole stream too high: decided flags are the top of the queue
(docs/relevance.md).
"""

import numpy as np
from scipy.optimize import minimize

STRENGTH = 1.0  # inverse L2 penalty (scikit-learn's C): weights stay small with few decisions
DISMISSED_WEIGHT = 20.0  # a dismissed article counts as much as 20 positives' share of the stream


def fit(positives, dismissed, stream):
    """The weight vector (no intercept: scores are used in standard units)
    separating positives from dismissed articles and the stream."""
    x = np.vstack([np.asarray(m, np.float64) for m in (positives, dismissed, stream)])
    design = np.hstack([x, np.ones((len(x), 1))])
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(dismissed) + len(stream))])
    weights = np.concatenate(
        [
            np.ones(len(positives)),
            np.full(len(dismissed), DISMISSED_WEIGHT),
            np.full(len(stream), len(positives) / max(len(stream), 1)),
        ]
    )

    def loss(beta):
        z = design @ beta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        value = (weights * (np.logaddexp(0.0, z) - y * z)).sum()
        grad = design.T @ (weights * (p - y))
        value += (beta[:-1] ** 2).sum() / (2 * STRENGTH)
        grad[:-1] += beta[:-1] / STRENGTH
        return value, grad

    beta = minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B").x
    return beta[:-1].astype(np.float32)
