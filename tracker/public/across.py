"""Reading across debates: every actor's current stance in every public debate,
any number of actors side by side, and how a debate's actors spread over the
scale month by month. Each is a fixed number of queries, whatever the number of
actors, debates, positions or months (the tests pin the counts)."""

import calendar
import datetime
from dataclasses import dataclass
from operator import attrgetter

from ..models import Actor, Debate, Position
from ..models.stance import STANCE_VALUES

HIGH_FIRST, LOW_FIRST = "high", "low"


@dataclass
class Matrix:
    debates: list
    rows: list  # (actor, [(debate, its current debate-level position or None)])
    by: object = None  # the debate the rows are ranked by, if any
    order: str = HIGH_FIRST


def matrix(by_slug="", order=HIGH_FIRST):
    """Actors by public debates, each cell the actor's current stance on the debate
    as a whole. Ranked by one debate's stances when `by_slug` names it (actors
    without a stance there last), else by name. Two queries. Raises
    Debate.DoesNotExist for a slug that is no public debate."""
    debates = list(Debate.objects.public().order_by("title"))
    by = None
    if by_slug:
        by = next((d for d in debates if d.slug == by_slug), None)
        if by is None:
            raise Debate.DoesNotExist(by_slug)
    current = (
        Position.objects.public()
        .current_overall(debates)
        .select_related("actor")
        .only("id", "debate_id", "actor_id", "stance", "stated_on", *_ACTOR_FIELDS)
    )
    cells, actors, by_id = {}, {}, {debate.id: debate for debate in debates}
    for position in current:
        position.debate = by_id[position.debate_id]  # in hand: no query per stance label
        cells[position.actor_id, position.debate_id] = position
        actors[position.actor_id] = position.actor
    rows = [
        (actor, [(debate, cells.get((actor.id, debate.id))) for debate in debates])
        for actor in sorted(actors.values(), key=lambda actor: actor.name)
    ]
    if by is not None:
        column = debates.index(by)
        sign = -1 if order == HIGH_FIRST else 1

        def rank(row):
            position = row[1][column][1]
            stance = None if position is None else position.stance
            return (stance is None, 0 if stance is None else sign * stance)

        rows.sort(key=rank)  # stable: names stay in order within a stance
    return Matrix(debates=debates, rows=rows, by=by, order=order)


_ACTOR_FIELDS = ["actor__id", "actor__name", "actor__slug", "actor__kind"]


@dataclass
class Comparison:
    actors: list
    rows: list  # (debate, proposal or None, [(actor, position or None)], spread)


def comparison(actors):
    """The debates and options on which at least two of `actors` (one, if only
    one is asked for) have a current position, lined up; `spread` is the gap
    between the highest and lowest stance held there. One query."""
    ids = [actor.id for actor in actors]
    positions = (
        Position.objects.public()
        .filter(actor_id__in=ids)
        .current()
        .select_related("debate", "proposal")
    )
    table = {}
    for position in positions:
        table.setdefault((position.debate, position.proposal), {})[position.actor_id] = position
    needed = min(2, len(ids))
    rows = []
    for (debate, proposal), sides in table.items():
        if len(sides) < needed:
            continue
        stances = [p.stance for p in sides.values() if p.stance is not None]
        spread = max(stances) - min(stances) if len(stances) > 1 else None
        rows.append((debate, proposal, [(a, sides.get(a.id)) for a in actors], spread))
    rows.sort(key=lambda row: (row[0].title, row[1].rung if row[1] else -1))
    return Comparison(actors=actors, rows=rows)


def chosen_actors(slugs):
    """The public actors these slugs name, in the order asked, each once, and the
    slugs that name none. One query (the choices for the form come with it)."""
    choices = list(Actor.objects.public().order_by("name").only("id", "slug", "name"))
    by_slug = {actor.slug: actor for actor in choices}
    chosen, missing = [], []
    for slug in dict.fromkeys(s for s in slugs if s):
        if slug in by_slug:
            chosen.append(by_slug[slug])
        else:
            missing.append(slug)
    return choices, chosen, missing


@dataclass
class Month:
    end: datetime.date  # the last day counted (the month's end, or the page's date)
    counts: list  # (stance, how many actors held it at `end`), low pole first
    total: int
    segments: list = None  # (stance, x, width) of the stacked bar, in % of the widest


def month_ends(first, last):
    """The end of each month from `first`'s to `last`'s; the last one is `last`
    itself when its month has not ended."""
    ends, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        ends.append(min(end, last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


MONTHS_SHOWN = 120


def _months_before(day, count):
    """The first day of the month `count` months before `day`'s, or the first
    day there is (records typed before dates were checked reach year 1)."""
    index = max(day.year * 12 + day.month - 1 - count, 12)
    return datetime.date(index // 12, index % 12 + 1, 1)


def distribution(runs, until):
    """How many actors held each stance on the debate as a whole at each month's
    end up to `until`, from the debate's runs (PositionQuerySet.runs() of its
    positions stated on or before `until`): at each end, each actor's latest
    published position stated on or before it, as current(as_of=...) reads it."""
    # A stable sort by day keeps each run's own order among positions of one day.
    dated = sorted(
        (step for (_, _, proposal), run in runs.items() if proposal is None for step in run),
        key=attrgetter("stated_on"),
    )
    if not dated:
        return []
    # The last MONTHS_SHOWN months at most; the first row holds whatever was
    # said before it.
    earliest = _months_before(until, MONTHS_SHOWN - 1)
    held, months, at = {}, [], 0
    for end in month_ends(max(dated[0].stated_on, earliest), until):
        while at < len(dated) and dated[at].stated_on <= end:
            held[dated[at].actor_id] = dated[at].stance
            at += 1
        counts = [(value, sum(1 for s in held.values() if s == value)) for value in STANCE_VALUES]
        months.append(Month(end=end, counts=counts, total=sum(c for _, c in counts)))
    widest = max(month.total for month in months) or 1
    for month in months:
        month.segments, x = [], 0.0
        for value, count in month.counts:
            if count:
                width = 100 * count / widest
                month.segments.append((value, round(x, 3), round(width, 3)))
                x += width
    return months
