"""The stance scale shared by positions, flags, the matcher, the charts and the
pages: −2 … +2 on a debate's own poles. Everything else reads it from here."""

from django.db.models import Q

STANCE_MIN = -2
STANCE_MAX = 2
STANCE_VALUES = range(STANCE_MIN, STANCE_MAX + 1)  # low pole first

STANCE_CHOICES = [
    (-2, "−2 · strongly towards the low pole"),
    (-1, "−1 · leaning towards the low pole"),
    (0, "0 · between the poles"),
    (1, "+1 · leaning towards the high pole"),
    (2, "+2 · strongly towards the high pole"),
]


def stance_in_range(field):
    """A check-constraint condition: the field is empty or on the −2 … +2 scale."""
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": STANCE_MIN, f"{field}__lte": STANCE_MAX}
    )


def clamp_stance(value):
    """The nearest stance on the scale to any whole number."""
    return max(STANCE_MIN, min(STANCE_MAX, value))


def format_stance(stance):
    """'+1', '0', '−2' with a real minus sign, as readers expect in print."""
    if stance is None:
        return "–"
    if stance > 0:
        return f"+{stance}"
    if stance < 0:
        return f"−{abs(stance)}"
    return "0"


def describe_stance(stance, low_label, high_label):
    """Name a stance in the debate's own words: 'strongly more aggressive'."""
    if stance is None:
        return "no stance"
    if stance == 0:
        return f"between {low_label} and {high_label}"
    label = high_label if stance > 0 else low_label
    return f"strongly {label}" if abs(stance) == STANCE_MAX else f"leaning {label}"


# A change of stance rated as a fact-checker's meter rates a change of mind
# (PolitiFact's Flip-O-Meter), by where the move starts and ends relative to the
# middle of the scale; the pages, the feeds, the desk and the methodology page
# all read the names and their meanings from here.
FULL_FLOP = "Full flop"
HALF_FLIP = "Half flip"
FIRMED_UP = "Firmed up"
SOFTENED = "Softened"
MOVE_RATINGS = [
    (FULL_FLOP, "crossed the middle of the scale to the other side: −1 to +1, +2 to −2"),
    (HALF_FLIP, "left the middle for one side, or came back to it: 0 to +1, −2 to 0"),
    (FIRMED_UP, "stayed on the same side, further from the middle: +1 to +2, −1 to −2"),
    (SOFTENED, "stayed on the same side, closer to the middle: +2 to +1, −2 to −1"),
]


def rate_move(before, after):
    """The rating of a move between two points of a scale centred on 0; '' when
    it did not move or either end is unknown."""
    if before is None or after is None or before == after:
        return ""
    if before * after < 0:
        return FULL_FLOP
    if before == 0 or after == 0:
        return HALF_FLIP
    return FIRMED_UP if abs(after) > abs(before) else SOFTENED
