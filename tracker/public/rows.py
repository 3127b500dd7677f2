"""The long tables of the debate and actor pages, prepared in one pass over the
positions: each row carries its text, links, dates and markup ready to print, so
a template prints a table with one loop and no tag or filter per cell (at 200
actors the tags and includes per cell cost more than all the queries;
docs/performance.md, "Public pages")."""

from dataclasses import dataclass

from . import fragments
from .fragments import STANCE_BADGES, joined, markup

NO_POSITION = markup('<td><span class="none" aria-label="no position">–</span></td>')


@dataclass
class StanceRow:
    """A row of the debate page's table of current stances."""

    id: int
    actor_path: str
    actor_name: str
    actor_kind: str
    stance: str  # the badge and the stance in the debate's words
    divergences: str
    held_since: object  # links.Day
    said_again: object  # the day of the latest statement when it came later, or None
    summary: str
    evidence: str


def stance_rows(positions, parts):
    """Current stances on the debate as a whole, with .held_since and
    .divergences marked (record.mark_held_since, record.mark_divergences)."""
    rows = []
    for position in positions:
        actor = position.actor
        said_again = position.stated_on != position.held_since
        rows.append(
            StanceRow(
                id=position.id,
                actor_path=parts.actor_path(actor),
                actor_name=actor.name,
                actor_kind=actor.get_kind_display(),
                stance=markup("{} {}", STANCE_BADGES[position.stance], position.stance_label),
                divergences=fragments.divergences(position, parts),
                held_since=parts.day(position.held_since),
                said_again=parts.day(position.stated_on) if said_again else None,
                summary=position.summary,
                evidence=fragments.evidence(position, parts),
            )
        )
    return rows


@dataclass
class MatrixRow:
    """An actor's answers on each option of the debate, as table cells."""

    actor_path: str
    actor_name: str
    cells: str


def matrix_rows(actors, proposals, cells, parts):
    """cells: (actor id, proposal id) -> the actor's current position on it."""
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
        MatrixRow(
            actor_path=parts.actor_path(actor),
            actor_name=actor.name,
            cells=joined(
                (cell(cells.get((actor.id, proposal.id))) for proposal in proposals), "\n"
            ),
        )
        for actor in actors
    ]


@dataclass
class ShiftRow:
    """A shift told in words, with the position before and after it side by side."""

    id: int  # the position that moved
    told: str
    before: str  # the side as markup (fragments.shift_side)
    after: str


def shift_rows(shifts, parts):
    """shifts: told shifts (models.shifts.ToldShift) whose positions carry their
    evidence (data.attach_evidence)."""
    return [
        ShiftRow(
            id=shift.after.id,
            told=fragments.told(shift, parts),
            before=fragments.shift_side(shift.before, "before", "Before", parts),
            after=fragments.shift_side(shift.after, "after", "After", parts),
        )
        for shift in shifts
    ]
