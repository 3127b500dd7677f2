"""The long tables of the debate and actor pages, prepared in one pass over the
positions: each row carries its text, links, dates and markup ready to print, so
a template prints a table with one loop and no tag or filter per cell (at 200
actors the tags and includes per cell cost more than all the queries;
docs/performance.md, "Public pages")."""

from . import fragments
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
    """Current stances on the debate as a whole, with .held_since and
    .divergences marked (record.mark_held_since, record.mark_divergences): a row
    of the debate page's table each, as markup."""
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
                actor.get_kind_display(),
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
    return rows


def matrix_rows(actors, proposals, cells, parts):
    """Each actor's answers on each option of the debate, a table row each as
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
                position.get_support_display(),
                badge,
            )
        return printed[key]

    return [
        markup(
            '<tr>\n<th scope="row"><a href="{}">{}</a></th>\n{}\n</tr>\n',
            parts.actor_path(actor),
            actor.name,
            joined((cell(cells.get((actor.id, proposal.id))) for proposal in proposals), "\n"),
        )
        for actor in actors
    ]


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
    evidence (data.attach_evidence), each as markup: told in words, with the
    position before and after it side by side."""
    return [
        markup(
            SHIFT,
            shift.after.id,
            fragments.told(shift, parts),
            fragments.shift_side(shift.before, "before", "Before", parts),
            fragments.shift_side(shift.after, "after", "After", parts),
        )
        for shift in shifts
    ]
