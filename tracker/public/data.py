"""What the public pages show, assembled in a fixed number of queries whatever
the number of actors or positions (the tests pin the counts)."""

from collections import defaultdict
from dataclasses import dataclass, field

from ..models import Actor, Evidence, Membership, Position
from ..models.stance import STANCE_VALUES

# What the pages never print of a position and its actor: left in the database,
# where it would be read and decoded (the aliases from JSON) for every row.
UNPRINTED_FIELDS = [
    *("created_at", "updated_at", "version", "corrects", "created_by", "published_by"),
    *("retracted_by", "corrected_by"),
    *("actor__created_at", "actor__updated_at", "actor__version", "actor__aliases"),
    *("actor__description", "actor__wikidata_id"),
]

# What the pages print of a piece of evidence and its story: a story's text,
# signature and embedding stay in the database.
PRINTED_EVIDENCE_FIELDS = [
    *("position_id", "url", "quote", "attribution", "speaker", "note"),
    *("source_count", "source_affiliation", "cited_outlet__name"),
    *("item__url", "item__title", "item__outlet__name"),
]


def attach_evidence(positions):
    """Give each position .public_evidence and .corroboration_total (two queries)."""
    ids = [p.id for p in positions]
    evidence = defaultdict(list)
    rows = (
        Evidence.objects.public()
        .filter(position_id__in=ids)
        .select_related("item__outlet", "cited_outlet")
        .only(*PRINTED_EVIDENCE_FIELDS)
        .order_by("id")
    )
    for row in rows:
        evidence[row.position_id].append(row)
    counts = dict(
        Position.objects.filter(id__in=ids).with_corroboration().values_list("id", "corroboration")
    )
    for position in positions:
        position.public_evidence = evidence.get(position.id, [])
        position.corroboration_total = counts.get(position.id, 0)
    return positions


# A debate's page tells its latest shifts; every one is on its shifts page. A
# debate gathers shifts for as long as it runs, and its page must not grow with them.
LATEST_SHIFTS = 20


def debate_shifts(debate, as_of=None):
    """The debate's public shifts, latest first, with actor and option loaded."""
    return (
        Position.objects.public()
        .shifts(as_of)
        .filter(debate=debate)
        .select_related("actor", "proposal")
        .defer(*UNPRINTED_FIELDS)
        .order_by("-stated_on", "-id")
    )


@dataclass
class DebateData:
    debate: object
    as_of: object
    proposals: list
    stances: list  # current debate-level positions, filtered
    cells: dict  # (actor id, proposal id) -> current position on that proposal
    matrix_actors: list
    shifts: list  # the LATEST_SHIFTS latest
    shift_count: int  # all of them
    retracted: list
    blocs: list  # (bloc, Counter of member stances, members without a stance)
    bloc_of: dict = field(default_factory=dict)  # actor id -> [bloc]
    overall: list = field(default_factory=list)  # every current stance, unfiltered


def debate_data(debate, as_of=None, kind="", bloc=None, stance=None, attribution=""):
    proposals = list(debate.proposals.all())
    current = list(
        Position.objects.public()
        .current_positions(debate, as_of=as_of)
        .select_related("actor", "proposal")
        .defer(*UNPRINTED_FIELDS)
        .order_by("actor__name", "proposal__rung")
    )
    attach_evidence(current)
    memberships = (
        Membership.objects.filter(
            organization__kind=Actor.Kind.BLOC, member__in={p.actor_id for p in current}
        )
        .select_related("organization")
        .only("member_id", "start_date", "end_date", "organization__name", "organization__slug")
    )
    bloc_of = defaultdict(list)
    for membership in memberships:
        if as_of is None or membership.is_current(as_of):
            bloc_of[membership.member_id].append(membership.organization)

    def keep(position):
        if kind and position.actor.kind != kind:
            return False
        if bloc is not None and bloc.id not in {b.id for b in bloc_of[position.actor_id]}:
            return False
        if stance is not None and position.stance != stance:
            return False
        return not attribution or any(
            e.attribution == attribution for e in position.public_evidence
        )

    overall = [p for p in current if p.proposal_id is None]
    by_actor = {p.actor_id: p for p in overall}
    shown = [p for p in overall if keep(p)]
    cells = {(p.actor_id, p.proposal_id): p for p in current if p.proposal_id is not None}
    shown_ids = {p.actor_id for p in shown}
    matrix_actors = sorted(
        {p.actor for p in current if p.actor_id in shown_ids or (p.proposal_id and keep(p))},
        key=lambda actor: actor.name,
    )

    all_shifts = debate_shifts(debate, as_of)
    shifts = list(all_shifts[:LATEST_SHIFTS])
    shift_count = all_shifts.count()
    retracted = list(
        Position.objects.public()
        .retracted()
        .filter(debate=debate)
        .select_related("actor", "proposal")
        .defer(*UNPRINTED_FIELDS)
        .order_by("-stated_on")
    )
    blocs = {}
    for actor_id, organizations in bloc_of.items():
        for organization in organizations:
            position = by_actor.get(actor_id)
            distribution = blocs.setdefault(organization.id, (organization, defaultdict(int)))[1]
            distribution[position.stance if position else None] += 1
    bloc_rows = [
        (organization, [(value, distribution.get(value, 0)) for value in STANCE_VALUES])
        for organization, distribution in sorted(blocs.values(), key=lambda row: row[0].name)
    ]
    return DebateData(
        debate=debate,
        as_of=as_of,
        proposals=proposals,
        stances=shown,
        cells=cells,
        matrix_actors=matrix_actors,
        shifts=shifts,
        shift_count=shift_count,
        retracted=retracted,
        blocs=bloc_rows,
        bloc_of=dict(bloc_of),
        overall=overall,
    )


@dataclass
class ActorData:
    actor: object
    record: object  # record.Record: every public position, the shifts, the standing
    history: dict  # debate -> [published positions on the debate as a whole, oldest first]
    memberships: list
    members: list
    divergences: list  # [record.Divergence]
    bloc_stances: list = field(default_factory=list)  # (debate, [(stance, count)], unknown)


def _bloc_stances(bloc, members):
    """For each public debate, how the bloc's members are spread over the stances."""
    from ..models import Debate

    member_ids = {m.member_id for m in members}
    debates = list(Debate.objects.public().order_by("title"))
    current = Position.objects.public().current_overall(debates).filter(actor_id__in=member_ids)
    counts = defaultdict(lambda: defaultdict(int))
    for position in current.only("id", "debate_id", "actor_id", "stance"):
        counts[position.debate_id][position.stance] += 1
    rows = []
    for debate in debates:
        if debate.id in counts:
            distribution = [(value, counts[debate.id].get(value, 0)) for value in STANCE_VALUES]
            known = sum(count for _, count in distribution)
            rows.append((debate, distribution, len(member_ids) - known))
    return rows


def actor_data(actor, on):
    """The actor page: the record, memberships and divergences on the date `on`."""
    from .record import actor_divergences, actor_record  # record builds on attach_evidence

    record = actor_record(actor)
    members = list(actor.members.select_related("member").order_by("member__name"))
    return ActorData(
        actor=actor,
        record=record,
        history=record.history,
        memberships=list(actor.memberships.select_related("organization")),
        members=members,
        divergences=actor_divergences(actor, on),
        bloc_stances=_bloc_stances(actor, members) if actor.kind == Actor.Kind.BLOC else [],
    )
