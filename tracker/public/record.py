"""What readers of the best trackers expect beside the current picture: shifts
told with the quotes on both sides, an actor's whole record, and officials out
of step with their own country. Each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from ..models import Actor, Position
from ..models.actors import countries_served, officials_serving
from ..models.positions import SUCCESSION, held_since, moved
from ..models.shifts import describe_shift
from .data import UNPRINTED_FIELDS, attach_evidence

# What the pages never print of a position's own row: for an earlier position,
# whose actor, debate and option come from the shift that follows it.
UNPRINTED_OWN_FIELDS = [name for name in UNPRINTED_FIELDS if not name.startswith("actor__")]


def told_shifts(shifts, known=()):
    """Tell shifts (rows of Position.objects.public().shifts(), which carry
    previous_id, with their actor, debate and proposal loaded) with both sides'
    public evidence: three queries. `known`: positions that already carry their
    evidence (a page's current positions), used as they are rather than read again."""
    known = {position.id: position for position in known}
    before = (
        Position.objects.public()
        .defer(*UNPRINTED_OWN_FIELDS)
        .in_bulk([shift.previous_id for shift in shifts if shift.previous_id not in known])
    )
    for shift in shifts:
        previous = before.get(shift.previous_id)
        if previous is not None:  # same actor, debate and option: taken from the shift, no join
            previous.actor, previous.debate = shift.actor, shift.debate
            previous.proposal = shift.proposal
    unknown = [shift for shift in shifts if shift.id not in known]
    attach_evidence([*unknown, *before.values()])
    before.update(known)
    told = []
    for shift in shifts:
        if shift.id in known:
            shift.public_evidence = known[shift.id].public_evidence
            shift.corroboration_total = known[shift.id].corroboration_total
        previous = before.get(shift.previous_id)
        if previous is not None:
            told.append(
                describe_shift(previous, shift, previous.public_evidence, shift.public_evidence)
            )
    return [shift for shift in told if shift is not None]


@dataclass
class Divergence:
    official: object
    country: object
    debate: object
    mine: object  # the official's current position on the debate as a whole
    theirs: object  # the country's


def divergences(current, served):
    """Where an official's current stance on a debate as a whole differs from
    their own country's (served: countries_served()), from current positions."""
    by_actor = defaultdict(dict)
    for position in current:
        by_actor[position.actor_id][position.debate_id] = position
    found = []
    for official_id, countries in served.items():
        for debate_id, mine in by_actor[official_id].items():
            for country in countries:
                theirs = by_actor[country.id].get(debate_id)
                if theirs is not None and theirs.stance != mine.stance:
                    found.append(Divergence(mine.actor, country, mine.debate, mine, theirs))
    return sorted(found, key=lambda d: (d.debate.title, d.official.name, d.country.name))


def mark_divergences(overall, on):
    """Give each current position on a debate as a whole .divergences: how its
    actor, an official, differs from their own countries (two queries)."""
    served = countries_served([p.actor for p in overall], on)
    for position in overall:
        position.divergences = []
    for divergence in divergences(overall, served):
        divergence.mine.divergences.append(divergence)


def actor_divergences(actor, on):
    """An official out of step with their country, or a country's officials out
    of step with it, on every debate."""
    if actor.kind == Actor.Kind.OFFICIAL:
        served = countries_served([actor], on)
    elif actor.kind == Actor.Kind.COUNTRY:
        served = {official.id: [actor] for official in officials_serving(actor, on)}
    else:
        return []
    involved = {actor.id, *served, *(c.id for countries in served.values() for c in countries)}
    current = (
        Position.objects.public()
        .filter(actor_id__in=involved, proposal=None)
        .current()
        .select_related("actor", "debate")
    )
    return divergences(list(current), served)


@dataclass
class Standing:
    position: object  # the current one
    since: object  # the first date of the run of equal stances it ends


@dataclass
class Record:
    debates: list  # (debate, [public positions, oldest first, each with .told])
    standing: list  # [Standing], by debate, the debate as a whole first
    shifts: list  # [ToldShift], latest first
    history: dict = field(default_factory=dict)  # debate -> published stances, oldest first


def actor_record(actor, debate=None):
    """Every public position of the actor (on one debate, if given), with
    evidence, the shifts told, and where the actor stands now (three queries)."""
    positions = Position.objects.public().filter(actor=actor)
    if debate is not None:
        positions = positions.filter(debate=debate)
    positions = list(positions.select_related("debate", "proposal").order_by(*SUCCESSION))
    attach_evidence(positions)
    debates = defaultdict(list)
    runs = defaultdict(list)  # (debate, proposal) -> published positions, oldest first
    for position in positions:
        position.actor = actor  # already in hand: no query per position
        position.told = None
        debates[position.debate].append(position)
        if position.status == Position.Status.PUBLISHED:
            runs[position.debate_id, position.proposal_id].append(position)
    for run in runs.values():  # the in-hand reading of shifts() and current()
        for before, after in pairwise(run):
            if moved(before, after):
                evidence = (before.public_evidence, after.public_evidence)
                after.told = describe_shift(before, after, *evidence)
    current = {run[-1].id for run in runs.values()}
    standing = [
        Standing(position, held_since(runs[position.debate_id, position.proposal_id]))
        for position in positions
        if position.id in current
    ]
    standing.sort(key=lambda s: (s.position.debate.title, _rung(s.position)))
    return Record(
        debates=sorted(debates.items(), key=lambda row: row[0].title),
        standing=standing,
        shifts=sorted(
            (p.told for p in positions if p.told), key=lambda t: (t.after.stated_on, t.after.id)
        )[::-1],
        history={run[0].debate: run for (_, proposal), run in runs.items() if proposal is None},
    )


def _rung(position):
    """The debate as a whole first, then its proposals up the ladder."""
    if position.proposal_id is None:
        return (0, 0, 0)
    return (1, position.proposal.rung, position.proposal_id)
