"""The long tables of the debate and actor pages, prepared in one pass over the
positions: each table's rows come as one piece of markup, with their text,
links and dates in place, so a template prints a table as one value, with no
tag, filter or even loop step per row or cell (at 200 actors the tags and
includes per cell cost more than all the queries; docs/performance.md,
"Public pages")."""

from django.utils import dateformat

from . import fragments
from .charts import stance_class
from .fragments import STANCE_BADGES, joined, markup

NO_POSITION = markup('<td><span class="none" aria-label="no position">–</span></td>')


STANCE_ROW = """<tr id="position-{}">
<th scope="row"><a href="{}">{}</a><br><small>{}</small></th>
<td>{} {}{}
</td>
<td><time datetime="{}">{}</time>{}</td>
<td><p>{}</p>{}</td>
</tr>
"""


def stance_rows(positions, parts):
    """Current stances on the debate as a whole, with .held_since (debate_data)
    and .divergences (record.mark_divergences) marked: the rows of the debate
    page's table, as markup."""
    rows = []
    for position in positions:
        actor = position.actor
        held_since = parts.day(position.held_since)
        said_again = ""
        if position.stated_on != position.held_since:
            day = parts.day(position.stated_on)
            said_again = markup(
                '<br> <small>said again <time datetime="{}">{}</time></small>', day.iso, day.text
            )
        rows.append(
            markup(
                STANCE_ROW,
                position.id,
                parts.actor_path(actor),
                actor.name,
                fragments.KIND_LABELS[actor.kind],
                STANCE_BADGES[position.stance],
                position.stance_label,
                fragments.divergences(position, parts),
                held_since.iso,
                held_since.text,
                said_again,
                position.summary,
                fragments.evidence(position, parts),
            )
        )
    return joined(rows)


def matrix_rows(actors, proposals, cells, parts):
    """Each actor's answers on each option of the debate, a table row each, as
    markup; cells: (actor id, proposal id) -> the actor's current position on it."""
    printed = {}  # the same few answers fill most cells: each is marked up once

    def cell(position):
        if position is None:
            return NO_POSITION
        key = (position.support, position.stance)
        if key not in printed:
            stance = position.stance
            badge = "" if stance is None else markup(" {}", STANCE_BADGES[stance])
            printed[key] = markup(
                '<td><span class="support support-{}">{}</span>{}</td>',
                position.support,
                fragments.SUPPORT_LABELS[position.support],
                badge,
            )
        return printed[key]

    return joined(
        markup(
            '<tr>\n<th scope="row"><a href="{}">{}</a></th>\n{}\n</tr>\n',
            parts.actor_path(actor),
            actor.name,
            joined((cell(cells.get((actor.id, proposal.id))) for proposal in proposals), "\n"),
        )
        for actor in actors
    )


SHIFT = """<article class="shift" id="shift-{}">
<p class="shift-told">{}</p>
<div class="shift-sides">
{}
{}
</div>
</article>
"""


def shift_rows(shifts, parts):
    """shifts: told shifts (models.shifts.ToldShift) whose positions carry their
    evidence (data.attach_evidence), as markup: each told in words, with the
    position before and after it side by side."""
    return joined(
        markup(
            SHIFT,
            shift.after.id,
            fragments.told(shift, parts),
            fragments.shift_side(shift.before, "before", "Before", parts),
            fragments.shift_side(shift.after, "after", "After", parts),
        )
        for shift in shifts
    )


MONTH_ROW = """<tr>
<th scope="row"><time datetime="{}">{}</time></th>
<td class="bar"><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" \
focusable="false">{}</svg></td>
{}
</tr>
"""


def month_rows(months):
    """The month-by-month spread (across.distribution) as table rows, markup:
    each month's end, its stacked bar and its count per stance."""
    return joined(
        markup(
            MONTH_ROW,
            month.end.isoformat(),
            dateformat.format(month.end, "M Y"),
            joined(
                markup(
                    '<rect class="{}" x="{}" y="0" width="{}" height="10"/>',
                    stance_class(value),
                    x,
                    width,
                )
                for value, x, width in month.segments
            ),
            joined(
                markup('<td class="count{}">{}</td>', "" if count else " none", count)
                for _, count in month.counts
            ),
        )
        for month in months
    )
