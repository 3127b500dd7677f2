"""What the public pages show, assembled in a fixed number of queries whatever
the number of actors or positions (the tests pin the counts)."""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter

from django.db.models import Q
from django.db.models.base import ModelState

from ..models import Actor, Evidence, Membership, Position, Proposal
from ..models.positions import corroboration, held_since, moved
from ..models.stance import STANCE_VALUES

# What the pages never print of a position and its actor: left in the database,
# where it would be read and decoded (the aliases from JSON) for every row.
UNPRINTED_FIELDS = [
    *("created_at", "updated_at", "version", "corrects", "created_by", "published_by"),
    *("retracted_by", "corrected_by"),
    *("actor__created_at", "actor__updated_at", "actor__version", "actor__aliases"),
    *("actor__description", "actor__wikidata_id"),
]


def _printed(model, path=""):
    """The fields of `model` a page prints, as paths from a position."""
    paths = (f"{path}{field.name}" for field in model._meta.concrete_fields)
    return [name for name in paths if name not in UNPRINTED_FIELDS]


# What the debate page never prints of a position: when it was published, and
# of its option more than the title.
NOT_ON_A_DEBATE_PAGE = [
    "published_at",
    *("proposal__debate", "proposal__slug", "proposal__description"),
]

# A position as the debate page prints it (current, shifted or retracted), with
# its actor and option.
PRINTED_POSITION_FIELDS = [
    name
    for name in (
        *_printed(Position),
        *_printed(Actor, "actor__"),
        *_printed(Proposal, "proposal__"),
    )
    if name not in NOT_ON_A_DEBATE_PAGE
]

# What the pages print of a piece of evidence and its story: a story's text,
# signature and embedding stay in the database.
PRINTED_EVIDENCE_FIELDS = [
    *("position_id", "url", "quote", "attribution", "speaker", "note"),
    *("source_count", "source_affiliation", "cited_outlet__name"),
    *("item__url", "item__title", "item__outlet__name"),
    "item__duplicate_of__outlet",  # the original's outlet, for corroboration()
]


def printable(queryset, fields):
    """The rows of `queryset` as instances of its model holding only `fields`
    (paths such as "item__outlet__name"), each related row on a path built and
    attached as select_related() would (None where the key is empty). A related
    row that several rows share is one instance, as prefetch_related() gives it:
    200 positions of one debate hold 200 actors and a handful of options.

    Built without Model.__init__: a page of 200 actors reads thousands of rows,
    and __init__'s per-field descriptors and signals cost more than the query.
    The instances are for printing: nothing saves them, and a field not asked
    for is read from the database when touched, as with only()."""
    relations = sorted(
        {
            path.rsplit("__", depth)[0]
            for path in fields
            for depth in range(1, path.count("__") + 1)
        },
        key=lambda path: path.count("__"),
    )
    models = {"": queryset.model}
    links = []  # (relation, its parent, the foreign key on the parent)
    for relation in relations:
        parent, _, name = relation.rpartition("__")
        key = models[parent]._meta.get_field(name)
        models[relation] = key.related_model
        links.append((relation, parent, key))

    # Each column once: a query filtered on a window orders by column number,
    # and two names for one column ("actor" and "actor__id") shift the numbers.
    # A foreign key to a related row read here is that row's key.
    fields = [path for path in fields if path not in relations]
    columns = {}

    def column(path):
        return columns.setdefault(path, len(columns))

    def prefixed(relation, name):
        return f"{relation}__{name}" if relation else name

    keys = {relation: column(prefixed(relation, models[relation]._meta.pk.name))
            for relation in ["", *relations]}  # fmt: skip
    own = {
        relation: [(index, models[relation]._meta.pk.attname)] for relation, index in keys.items()
    }
    for path in fields:
        relation, _, name = path.rpartition("__")
        own[relation].append((column(path), models[relation]._meta.get_field(name).attname))

    own = {relation: _reader(pairs) for relation, pairs in own.items()}
    database = queryset.db
    seen = {relation: {} for relation in relations}  # relation -> {key: its instance}
    built = []
    for row in queryset.values_list(*columns):
        instances = {"": _bare(models[""], database, own[""], row)}
        for relation, parent, key in links:
            pk = row[keys[relation]]
            child = None if pk is None else seen[relation].get(pk)
            if pk is not None and child is None:
                child = seen[relation][pk] = _bare(models[relation], database, own[relation], row)
            instances[relation] = child
            holder = instances[parent]
            if holder is not None:
                holder.__dict__[key.attname] = pk
                holder._state.fields_cache[key.name] = child
        built.append(instances[""])
    return built


def _reader(pairs):
    """(index, attname) pairs -> a function of a row giving (attname, value) pairs."""
    indexes = [index for index, _ in pairs]
    names = [attname for _, attname in pairs]
    pick = itemgetter(*indexes) if len(indexes) > 1 else lambda row: (row[indexes[0]],)
    return lambda row: zip(names, pick(row), strict=True)


def _bare(model, database, read, row):
    """An instance holding what `read` (a _reader) takes from the row."""
    instance = model.__new__(model)
    instance.__dict__.update(read(row))
    state = instance._state = ModelState()
    state.adding = False
    state.db = database
    return instance


def attach_evidence(positions):
    """Give each position .public_evidence and .corroboration_total (one query)."""
    if not positions:
        return positions
    evidence = defaultdict(list)
    rows = Evidence.objects.public().filter(position_id__among=[p.id for p in positions])
    for row in printable(rows.order_by("id"), PRINTED_EVIDENCE_FIELDS):
        evidence[row.position_id].append(row)
    for position in positions:
        position.public_evidence = evidence.get(position.id, [])
        position.corroboration_total = corroboration(position.public_evidence)
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
    shifts: list  # the LATEST_SHIFTS latest, each with .previous_id
    shift_count: int  # all of them
    earlier: list  # the positions those shifts moved from
    retracted: list
    blocs: list  # (bloc, Counter of member stances, members without a stance)
    bloc_of: dict = field(default_factory=dict)  # actor id -> [bloc]
    overall: list = field(default_factory=list)  # every current stance, unfiltered, .held_since
    runs: dict = field(default_factory=dict)  # the published history (PositionQuerySet.runs)


def debate_data(debate, as_of=None, kind="", bloc=None, stance=None, attribution=""):
    proposals = list(debate.proposals.all())
    published = Position.objects.public().filter(debate=debate)
    if as_of is not None:
        published = published.filter(stated_on__lte=as_of)
    # One read of the debate's history gives the current positions, the shifts
    # and how long each stance has held, without a window query for each.
    runs = published.runs()
    # Every shift as (its step, the step it moved from), latest first as on
    # the shifts page (debate_shifts).
    moves = sorted(
        (
            (step, before)
            for run in runs.values()
            for before, step in pairwise(run)
            if moved(before, step)
        ),
        key=lambda move: (move[0].stated_on, move[0].id),
        reverse=True,
    )
    latest_moves = moves[:LATEST_SHIFTS]
    current_ids = {run[-1].id for run in runs.values()}
    wanted = {*current_ids, *(step.id for move in latest_moves for step in move)}
    # The retracted ones come with them, whenever they were retracted: a date
    # shows the record as it is now known to have stood, without them.
    retractions = Q(debate=debate, status=Position.Status.RETRACTED)
    if as_of is not None:
        retractions &= Q(stated_on__lte=as_of)
    read = printable(
        Position.objects.public()
        .filter(Q(id__among=wanted) | retractions)
        .order_by("actor__name", "proposal__rung"),
        PRINTED_POSITION_FIELDS,
    )
    for position in read:
        position.debate = debate  # already in hand: no query per position
    attach_evidence([position for position in read if position.id in wanted])
    retracted = sorted(
        (position for position in read if position.status == Position.Status.RETRACTED),
        key=lambda position: (position.stated_on, position.id),
        reverse=True,
    )
    by_id = {position.id: position for position in read}
    current = [position for position in read if position.id in current_ids]
    shifts = []
    for step, before in latest_moves:
        shift = by_id[step.id]
        shift.previous_id = before.id
        shifts.append(shift)
    # Plain values, one bloc object each: a bloc of 200 members is one bloc, not
    # 200 copies of it with 200 membership rows around them.
    memberships = Membership.objects.filter(
        organization__kind=Actor.Kind.BLOC, member__among={p.actor_id for p in current}
    ).values_list(
        "member_id", "start_date", "end_date", "organization_id", "organization__name",
        "organization__slug",
    )  # fmt: skip
    blocs_by_id = {}
    bloc_of = defaultdict(list)
    for member_id, start, end, bloc_id, name, slug in memberships:
        if as_of is None or Membership.spans(start, end, as_of):
            if bloc_id not in blocs_by_id:
                blocs_by_id[bloc_id] = Actor(id=bloc_id, kind=Actor.Kind.BLOC, name=name, slug=slug)
            bloc_of[member_id].append(blocs_by_id[bloc_id])

    def keep(position, by_evidence=True):
        if kind and position.actor.kind != kind:
            return False
        if bloc is not None and bloc.id not in {b.id for b in bloc_of[position.actor_id]}:
            return False
        if stance is not None and position.stance != stance:
            return False
        return not (attribution and by_evidence) or any(
            e.attribution == attribution for e in position.public_evidence
        )

    # A retraction's evidence is not read: the attribution filter leaves it be.
    retracted = [position for position in retracted if keep(position, by_evidence=False)]

    overall = [p for p in current if p.proposal_id is None]
    for position in overall:
        position.held_since = held_since(runs[position.actor_id, debate.id, None])
    by_actor = {p.actor_id: p for p in overall}
    shown = [p for p in overall if keep(p)]
    cells = {(p.actor_id, p.proposal_id): p for p in current if p.proposal_id is not None}
    shown_ids = {p.actor_id for p in shown}
    matrix_actors = sorted(
        {
            p.actor_id: p.actor
            for p in current
            if p.actor_id in shown_ids or (p.proposal_id and keep(p))
        }.values(),
        key=lambda actor: actor.name,
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
        shift_count=len(moves),
        earlier=[by_id[before.id] for _, before in latest_moves],
        retracted=retracted,
        blocs=bloc_rows,
        bloc_of=dict(bloc_of),
        overall=overall,
        runs=runs,
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
