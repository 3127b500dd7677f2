"""A flag's relevance in words an editor reads: the figure, a band, and why.

The figure is the model's probability that the desk finds the item relevant
(calibrated on the labelled set, docs/relevance.md), shown as a percentage;
the reason is what scoring.DebateScorer.reasons stored with the flag.
"""

from dataclasses import dataclass, field

# (lowest probability, word): read top down.
BANDS = [(0.7, "very likely"), (0.4, "likely"), (0.15, "possible"), (0.0, "unlikely")]


def percent(relevance):
    """ "72 %", "<1 %", ">99 %", or "" for a flag never scored."""
    if relevance is None:
        return ""
    value = round(100 * relevance)
    if value < 1:
        return "<1 %"
    return ">99 %" if value > 99 else f"{value} %"


def band(relevance):
    if relevance is None:
        return ""
    return next(word for lowest, word in BANDS if relevance >= lowest)


@dataclass
class Explanation:
    figure: str  # "72 %"
    band: str  # "likely"
    found_by: str  # "watch query" or "similarity"
    terms: list = field(default_factory=list)  # the debate's words the item uses
    nearest_kind: str = ""  # "article" (accepted by the desk) or "debate" (its own text)
    nearest_text: str = ""  # the article's title or the passage
    nearest_item_id: int | None = None
    similarity: str = ""  # "0.71"
    query_share: str = ""  # "2/3 of the watch query" as a percentage, "" if none

    @property
    def short(self):
        """One line for the queue list."""
        parts = []
        if self.nearest_kind == "article":
            parts.append(f"like “{self.nearest_text}”")
        if self.terms:
            parts.append("words: " + ", ".join(self.terms[:4]))
        return "; ".join(parts)


def explain(flag):
    """The Explanation of a flag's relevance, or None when it was never scored."""
    if flag.relevance is None:
        return None
    reason = flag.reason or {}
    explanation = Explanation(
        figure=percent(flag.relevance),
        band=band(flag.relevance),
        found_by=flag.get_found_by_display().lower(),
        terms=list(reason.get("terms", [])),
    )
    if reason.get("nearest") == "article":
        explanation.nearest_kind = "article"
        explanation.nearest_text = reason.get("title", "")
        explanation.nearest_item_id = reason.get("item_id")
    elif reason.get("nearest") == "debate":
        explanation.nearest_kind = "debate"
        explanation.nearest_text = reason.get("passage", "")
    if "similarity" in reason:
        explanation.similarity = f"{reason['similarity']:.2f}"
    share = reason.get("query_share")
    if share:
        explanation.query_share = f"{round(100 * share)} %"
    return explanation
