"""The pieces of markup a public page repeats for every position — a stance badge,
a stance line, the evidence behind a position, a told shift — written once here
and built in Python, so a page of 200 actors prints prepared strings instead of
running a template tag, filter or include per cell. Every value from an editor
or a feed is escaped as the templates escape it."""

import html

from django.utils.safestring import SafeString

from ..models import Actor, Debate, Evidence, Position
from ..models.common import bare_quote, public_address
from ..models.stance import STANCE_MAX, STANCE_MIN, format_stance
from .charts import stance_class


def _escaped(value):
    """Markup as it is, anything else escaped: format_html's rule, without its
    checks for lazy strings, which at thousands of values a page cost more than
    the escaping itself."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def markup(template, *values):
    """format_html(template, *values), for the pieces printed per row."""
    return SafeString(template.format(*map(_escaped, values)))


def joined(pieces, separator=""):
    """Pieces of markup (or text, escaped) as one."""
    return SafeString(separator.join(map(_escaped, pieces)))


# Choice labels by value, as get_FOO_display() gives them without its per-call
# work (at 200 rows a page, that work showed in the profile).
KIND_LABELS = dict(Actor.Kind.choices)
SUPPORT_LABELS = dict(Position.Support.choices)
ATTRIBUTION_LABELS = dict(Evidence.Attribution.choices)

# '<span class="badge s3">+1</span>': one of six, made once.
STANCE_BADGES = {
    value: markup('<span class="badge {}">{}</span>', stance_class(value), format_stance(value))
    for value in (None, *range(STANCE_MIN, STANCE_MAX + 1))
}


def stance_line(position, named=False):
    """'Option: Supports +1 leaning high', with a badge; named: with the option's title."""
    pieces = []
    if position.proposal_id:
        if named:
            pieces.append(markup("{}: ", position.proposal.title))
        pieces.append(
            markup(
                '<span class="support support-{}">{}</span>',
                position.support,
                SUPPORT_LABELS[position.support],
            )
        )
        if position.stance is not None:
            pieces.append(" ")
    if position.stance is not None:
        pieces.append(markup("{} {}", STANCE_BADGES[position.stance], position.stance_label))
    return markup('<p class="stance-line">{}</p>\n', joined(pieces))


def evidence(position, parts):
    """A position's correction note, public evidence (on the record as a quote,
    reported with its chain of attribution) and how many outlets back it; needs
    attach_evidence(). Printed once per position and page (parts: links.PageParts)."""
    key = ("evidence", position.id)
    if key not in parts.printed:
        parts.printed[key] = _evidence(position, parts)
    return parts.printed[key]


def _evidence(position, parts):
    pieces = []
    if position.corrected_at:
        pieces.append(
            markup(
                '<p class="correction"><span class="smallcaps">Corrected</span> {}: {}</p>',
                parts.day(position.corrected_at).text,
                position.correction_note,
            )
        )
    pieces.append("\n")
    for piece in position.public_evidence:
        pieces.append(
            markup("\n{}\n", _on_record(piece) if piece.is_on_record else _reported(piece))
        )
    total = position.corroboration_total
    if total:
        pieces.append(
            markup(
                '<p class="corroboration">{} independent outlet{}</p>',
                total,
                "" if total == 1 else "s",
            )
        )
    pieces.append("\n")
    return joined(pieces)


def _source(href, text):
    """A link readers can follow, or the source named without one when its
    address is on the desk's own network (an intranet feed's item)."""
    if not public_address(href):
        return markup("{}", text)
    return markup('<a href="{}" rel="nofollow noopener">{}</a>', href, text)


def _on_record(piece):
    quote = markup("<p>“{}”</p>", bare_quote(piece.quote)) if piece.quote else ""
    if piece.item_id:
        item = piece.item
        source = markup(" · {}", _source(item.url, item.outlet or item.title))
    elif piece.url:
        source = markup(" · {}", _source(piece.url, "source"))
    else:
        source = ""
    speaker = markup(" · {}", piece.speaker) if piece.speaker else ""
    note = markup('\n<p class="note">{}</p>', piece.note) if piece.note else ""
    return markup(
        '<blockquote class="evidence on-record">\n{}\n<footer><span class="attribution">{}</span>'
        "{}{}{}</footer>\n</blockquote>",
        quote,
        ATTRIBUTION_LABELS[piece.attribution],
        speaker,
        source,
        note,
    )


def _reported(piece):
    inferred = piece.attribution == piece.Attribution.EDITOR_INFERENCE
    level = ATTRIBUTION_LABELS[piece.attribution]  # as the evidence filter names it
    chain = piece.attribution_chain  # the level itself when nobody is named
    pieces = [
        markup(
            '<p class="chain"><span class="smallcaps">{}</span>{}{}</p>',
            level,
            "" if chain == level else markup(" · {}", chain),
            "" if inferred else " — not on record",
        )
    ]
    if piece.quote:
        pieces.append(markup('<p class="quote">“{}”</p>', bare_quote(piece.quote)))
    if piece.note:
        pieces.append(markup('<p class="note">{}</p>', piece.note))
    if piece.item_id or piece.url:
        href = piece.item.url if piece.item_id else piece.url
        text = piece.item.title if piece.item_id else (public_address(piece.url) or "source")
        pieces.append(markup('<p class="source">{}</p>', _source(href, text)))
    return markup('<div class="evidence reported">\n{}\n</div>', joined(pieces, "\n"))


def divergences(position, parts):
    """'Diverges from Estonia: +2 vs 0' for each of the official's countries it
    differs from (record.mark_divergences)."""
    return joined(
        markup(
            '<p class="diverges">Diverges from <a href="{}">{}</a>: {} vs {}</p>',
            parts.actor_path(d.country),
            d.country.name,
            STANCE_BADGES[d.mine.stance],
            STANCE_BADGES[d.theirs.stance],
        )
        for d in position.divergences
    )


def shift_side(position, side, heading, parts):
    """One side of a told shift: when, where the actor stood, what it said and
    the evidence for it."""
    day = parts.day(position.stated_on)
    return markup(
        '<div class="shift-side shift-{}">\n'
        '<p class="kicker">{} · <time datetime="{}">{}</time></p>\n'
        "{}\n<p>{}</p>\n{}\n</div>\n",
        side,
        heading,
        day.iso,
        day.text,
        stance_line(position),
        position.summary,
        evidence(position, parts),
    )


def told(shift, parts):
    """A told shift (models.shifts.ToldShift) as markup: its rating marked, the
    actor and the debate linked, stances as badges."""
    pieces = []
    for piece in shift.pieces:
        if piece.kind == "rating":
            pieces.append(markup('<strong class="rating">{}</strong>', piece.value))
        elif piece.kind == "actor":
            path = parts.actor_path(piece.value)
            pieces.append(markup('<a href="{}">{}</a>', path, piece.value.name))
        elif piece.kind == "on" and isinstance(piece.value, Debate):
            path = parts.debate_path(piece.value)
            pieces.append(markup('<a href="{}">{}</a>', path, piece.value.title))
        elif piece.kind == "stance":
            pieces.append(STANCE_BADGES[piece.value])
        else:
            pieces.append(str(piece))
    return joined(pieces)
