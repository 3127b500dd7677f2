"""A shift told as a fact-checker tells a change of mind: a rating (stance.py's
MOVE_RATINGS), the direction and size of the move, and how solid the evidence
is on each side. What counts as a shift is PositionQuerySet.shifts() (moved()
for rows in hand) and, for a draft about to be published,
desk.previous_published(); this module only words it. The debate and actor
pages, the feeds and the desk all read one ToldShift."""

from dataclasses import dataclass

from .positions import NUMBER_WORDS, SUPPORT_LEANING, PositionSupport, strongest_attribution
from .stance import format_stance, rate_move


@dataclass(frozen=True)
class Piece:
    """One part of a told shift: kind is 'text', 'rating', 'actor', 'on' (the
    debate or proposal), 'stance' (a value on the scale) or 'support' (a label).
    Pages turn the kinds into links and badges; plain text joins them."""

    kind: str
    value: object

    def __str__(self):
        if self.kind == "stance":
            return format_stance(self.value)
        if self.kind == "support":
            return f"“{self.value}”"
        return str(self.value)


@dataclass(frozen=True)
class ToldShift:
    before: object  # the previous published Position
    after: object  # the Position that moved
    rating: str
    pieces: tuple

    @property
    def sentence(self):
        """'Firmed up: France moved from +1 to +2 on Airspace, one step towards
        “more aggressive”; evidence: on the record both times.'"""
        return "".join(str(piece) for piece in self.pieces)


def _steps(count):
    word = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
    return f"{word} step{'' if count == 1 else 's'}"


def _evidence_phrase(before_evidence, after_evidence):
    def level(evidence):
        strongest = strongest_attribution(evidence)
        if strongest is None:
            return None
        label = str(strongest.label)
        return label[0].lower() + label[1:]

    before, after = level(before_evidence), level(after_evidence)
    if before == after:
        return f"{before} both times" if before else "none published either time"
    return f"{before or 'none published'} before, {after or 'none published'} after"


def describe_shift(before, after, before_evidence=(), after_evidence=()):
    """Word the move from `before` to `after` (the same actor's consecutive
    published positions on one debate or proposal), weighing each side by its
    most direct evidence; None when neither the stance nor the answer moved."""
    on = after.proposal if after.proposal_id else after.debate
    rating = rate_move(before.stance, after.stance)
    if rating:
        debate = after.debate
        towards = debate.high_label if after.stance > before.stance else debate.low_label
        steps = _steps(abs(after.stance - before.stance))
        moved = [Piece("stance", before.stance), Piece("stance", after.stance)]
        direction = f", {steps} towards “{towards}”"
    elif before.support and after.support:
        rating = rate_move(SUPPORT_LEANING[before.support], SUPPORT_LEANING[after.support])
        labels = (PositionSupport(before.support).label, PositionSupport(after.support).label)
        moved = [Piece("support", label) for label in labels]
        direction = ""
    if not rating:
        return None
    pieces = (
        Piece("rating", rating),
        Piece("text", ": "),
        Piece("actor", after.actor),
        Piece("text", " moved from "),
        moved[0],
        Piece("text", " to "),
        moved[1],
        Piece("text", " on "),
        Piece("on", on),
        Piece("text", f"{direction}; evidence: "),
        Piece("text", _evidence_phrase(before_evidence, after_evidence) + "."),
    )
    return ToldShift(before=before, after=after, rating=rating, pieces=pieces)
