"""What the public charts show, prepared for the templates: the spectrum's
stance groups and the timeline's SVG geometry. The templates draw them, and
Django's escaping keeps every label that came from an editor or a feed inert."""

import hashlib
import html
from dataclasses import dataclass

from django.utils import dateformat

from ..models.stance import STANCE_MAX, STANCE_MIN, STANCE_VALUES, format_stance
from .links import PageParts


def stance_class(stance):
    """CSS class of the diverging blue ↔ orange palette: s0 (low pole) … s4 (high)."""
    return "sn" if stance is None else f"s{stance - STANCE_MIN}"


@dataclass
class Dot:
    name: str
    href: str


@dataclass
class StanceGroup:
    stance: int
    stance_text: str  # "−1"
    words: str  # "leaning conservative", in the debate's own words
    css: str
    dots: list
    listed: str = ""  # the dots as markup, printed as they are (a name is escaped)


@dataclass
class Spectrum:
    groups: list  # one per stance, low pole first
    low_label: str
    high_label: str


def spectrum(positions, debate, link=True, parts=None):
    """Actors grouped under each stance of the debate's axis, low pole first.

    The page lays the groups out as columns under the axis on a wide screen and
    one under another on a narrow one; either way each name is text in the
    page's flow, so it wraps instead of being cut and cannot land on another
    actor's row, however long it is or however many share a stance."""
    parts = parts or PageParts()
    by_stance = {value: [] for value in STANCE_VALUES}
    for position in sorted(positions, key=lambda p: p.actor.name):
        actor = position.actor
        href = parts.actor_path(actor) if link else ""
        by_stance[position.stance].append(Dot(name=actor.name, href=href))
    groups = [
        StanceGroup(
            stance=value,
            stance_text=format_stance(value),
            words=debate.describe_stance(value),
            css=stance_class(value),
            dots=dots,
            listed=_listed(dots),
        )
        for value, dots in by_stance.items()
    ]
    return Spectrum(groups=groups, low_label=debate.low_label, high_label=debate.high_label)


def _listed(dots):
    """The names under a stance as markup, built here rather than by a template
    loop: at 200 actors the loop's lookups cost more than the whole chart."""
    from .fragments import joined, markup  # fragments builds on stance_class above

    if not dots:
        return markup('<p class="spectrum-none">No actor</p>')
    dot = '<li><span class="spectrum-dot" aria-hidden="true"></span>'
    items = (
        markup(dot + '<a class="spectrum-label" href="{}">{}</a></li>', d.href, d.name)
        if d.href
        else markup(dot + '<span class="spectrum-label">{}</span></li>', d.name)
        for d in dots
    )
    return markup('<ul class="spectrum-actors">{}</ul>', joined(items))


# The embedded chart turns from one column to one per stance at 40rem, which a
# media query reads at the browser's default 16px.
COLUMNS_FROM = 640  # px
# What a column holds at that narrowest width: names of about 11 characters a
# line, each line 19px, 6px between names; above them the stance in smaller
# type, about 13 characters a line of 18px.
COLUMN_CHARACTERS, LINE, NAME_GAP = 11, 19, 6
HEAD_CHARACTERS, HEAD_LINE = 13, 18


def embed_snippet(src, title, chart):
    """The HTML another site pastes to embed the chart: full width, titled for
    screen readers, and tall enough for the whole chart however wide the frame
    is. Its height fits the chart in one column as narrow as a phone's (one line
    per stance and per actor, plus the title, caption and margins); where the
    frame is wide enough for a column per stance, a container query gives it the
    height of the tallest column instead, so no blank band is left below. The
    site runs no script, so the frame does not tell its host its height; a host
    that strips the style keeps the one-column height. Attributes are quoted with
    double quotes, so an apostrophe in a title stays one."""
    actors = sum(len(group.dots) for group in chart.groups)
    height = 340 + 40 * len(chart.groups) + 24 * actors
    # A class of its own, so two charts on one page keep their own heights.
    frame = "pdt-embed-" + hashlib.sha256(src.encode()).hexdigest()[:10]

    def attribute(value):
        return html.escape(value, quote=False).replace('"', "&quot;")

    return (
        '<div style="container-type: inline-size">'
        f"<style>@container (min-width: {COLUMNS_FROM}px) {{ iframe.{frame} "
        f"{{ height: {_columns_height(chart)}px; }} }}</style>"
        f'<iframe class="{frame}" src="{attribute(src)}" title="{attribute(title)}" '
        f'width="100%" height="{height}" style="border: 0; max-width: 100%" loading="lazy">'
        "</iframe></div>"
    )


def _columns_height(chart):
    """The embed's height with a column per stance, at the narrowest width that
    has them: the title, the poles, the caption and margins, and the tallest
    column, its stance in words above the names. Measured on the demo debates in
    Chromium, it leaves 20–110px below the chart from 644 to 1350px wide."""

    def lines(text, per_line):
        return -(-len(text) // per_line)

    def column(group):
        head = 30 + HEAD_LINE * lines(f"{group.stance_text} {group.words}", HEAD_CHARACTERS)
        names = (NAME_GAP + LINE * lines(dot.name, COLUMN_CHARACTERS) for dot in group.dots)
        return head + sum(names)

    return 220 + max(map(column, chart.groups), default=0)


@dataclass
class Timeline:
    width: int
    height: int
    points: list  # (x, y, css, title)
    path: str
    levels: list  # (y, label)
    ticks: list  # (x, label, text-anchor) under the time axis
    size: str = "wide"


DAY_LABELS_UNDER = 62  # days: a shorter span is labelled by day, a longer one by month


def timelines(positions):
    """The chart drawn twice, for a wide screen and for a phone: an SVG scales its
    text with its width, so one drawing would be too small to read on one of them.
    The stylesheet shows the one that fits."""
    return [timeline(positions), timeline(positions, width=320, size="narrow")]


def timeline(positions, width=560, height=150, size="wide"):
    """Stance over time for one debate: a step line through dated positions,
    oldest first. Positions all stated on one day (one position, or a change of
    stance within the day) stand in the middle above that date, not squeezed
    against the left edge of a span of no length."""
    left, right, top, bottom = 44.0, width - 16.0, 14.0, height - 24.0
    dates = [p.stated_on for p in positions]
    first, last = min(dates), max(dates)
    span = (last - first).days

    def x_of(day):
        if span == 0:
            return (left + right) / 2
        return left + (day - first).days * (right - left) / span

    def y_of(stance):
        return bottom - (stance - STANCE_MIN) * (bottom - top) / (STANCE_MAX - STANCE_MIN)

    points, path = [], []
    for position in positions:
        x, y = x_of(position.stated_on), y_of(position.stance)
        if not path:
            path.append(f"M{x:.1f} {y:.1f}")
        elif x == points[-1][0]:
            path.append(f"V{y:.1f}")  # a change on the same day: straight up or down
        else:
            path.append(f"H{x:.1f} V{y:.1f}")
        day = dateformat.format(position.stated_on, "j M Y")
        title = f"{day}: {format_stance(position.stance)}"
        points.append((x, y, stance_class(position.stance), title))
    if span == 0:
        ticks = [((left + right) / 2, dateformat.format(first, "j M Y"), "middle")]
    else:
        style = "j M Y" if span < DAY_LABELS_UNDER else "M Y"
        ticks = [
            (left, dateformat.format(first, style), "start"),
            (right, dateformat.format(last, style), "end"),
        ]
    levels = [(y_of(s), format_stance(s)) for s in STANCE_VALUES]
    return Timeline(width, height, points, " ".join(path), levels, ticks, size)
