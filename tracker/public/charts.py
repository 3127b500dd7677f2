"""Geometry for the server-rendered SVG charts; the templates draw them, and
Django's escaping keeps every label that came from an editor or a feed inert."""

from dataclasses import dataclass

from django.urls import reverse

from ..models.stance import STANCE_MAX, STANCE_MIN, STANCE_VALUES, format_stance

LABEL_CHARACTERS = 24


def stance_class(stance):
    """CSS class of the diverging blue ↔ orange palette: s0 (low pole) … s4 (high)."""
    return "sn" if stance is None else f"s{stance - STANCE_MIN}"


@dataclass
class Dot:
    x: float
    y: float
    label: str
    full_label: str
    href: str
    css: str
    anchor: str
    label_x: float
    stance_text: str


@dataclass
class Spectrum:
    width: int
    height: int
    axis_y: int
    left: float
    right: float
    ticks: list  # (x, label)
    dots: list
    low_label: str
    high_label: str


def _short(text):
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


CHARACTER_WIDTH = 7.2  # average width of a 12.5 px sans-serif character


def _span(x, text, anchor):
    width = 12 + len(text) * CHARACTER_WIDTH
    return (x - width, x + 8) if anchor == "end" else (x - 8, x + width)


def _first_free_row(rows, start, end, gap=6):
    """Claim the span in the first row it fits into (a new row if none); return its index."""
    for index, spans in enumerate(rows):
        if all(end + gap < a or start - gap > b for a, b in spans):
            spans.append((start, end))
            return index
    rows.append([(start, end)])
    return len(rows) - 1


def spectrum(positions, low_label, high_label, width=760, row=24, link=True):
    """Actors as labelled dots on the debate's axis. Each label goes into the first
    row where it overlaps no other, so names never collide however many share
    a stance."""
    left, right, top = 70.0, width - 70.0, 64
    step = (right - left) / (STANCE_MAX - STANCE_MIN)
    rows = []  # per row: occupied (start, end) spans
    dots = []
    ordered = sorted(positions, key=lambda p: (p.stance, p.actor.name))
    for position in ordered:
        actor, stance = position.actor, position.stance
        x = left + (stance - STANCE_MIN) * step
        anchor = "end" if stance == STANCE_MAX else "start"
        label = _short(actor.name)
        index = _first_free_row(rows, *_span(x, label, anchor))
        dots.append(
            Dot(
                x=x,
                y=top + index * row,
                label=label,
                full_label=actor.name,
                href=reverse("public:actor", args=[actor.slug]) if link else "",
                css=stance_class(stance),
                anchor=anchor,
                label_x=x - 9 if anchor == "end" else x + 9,
                stance_text=format_stance(stance),
            )
        )
    return Spectrum(
        width=width,
        height=top + max(len(rows), 1) * row + 8,
        axis_y=34,
        left=left,
        right=right,
        ticks=[(left + (s - STANCE_MIN) * step, format_stance(s)) for s in STANCE_VALUES],
        dots=dots,
        low_label=low_label,
        high_label=high_label,
    )


@dataclass
class Timeline:
    width: int
    height: int
    points: list  # (x, y, css, title)
    path: str
    levels: list  # (y, label)
    first: object
    last: object


def timeline(positions, width=560, height=150):
    """Stance over time for one debate: a step line through dated positions."""
    left, right, top, bottom = 44.0, width - 16.0, 14.0, height - 24.0
    dates = [p.stated_on for p in positions]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)

    def y_of(stance):
        return bottom - (stance - STANCE_MIN) * (bottom - top) / (STANCE_MAX - STANCE_MIN)

    points, path = [], []
    for position in positions:
        x = left + (position.stated_on - first).days * (right - left) / span
        if len(positions) == 1:
            x = (left + right) / 2
        y = y_of(position.stance)
        title = f"{position.stated_on:%-d %b %Y}: {format_stance(position.stance)}"
        if path:
            path.append(f"H{x:.1f} V{y:.1f}")
        else:
            path.append(f"M{x:.1f} {y:.1f}")
        points.append((x, y, stance_class(position.stance), title))
    levels = [(y_of(s), format_stance(s)) for s in STANCE_VALUES]
    return Timeline(width, height, points, " ".join(path), levels, first, last)
