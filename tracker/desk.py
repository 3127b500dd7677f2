"""The editorial desk's moves on the review queue, as plain functions.

Every move is a conditional update, so two editors acting at once cannot both
win: the update only touches flags still in the state the move expects."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Evidence, Flag, Position

OPEN = (Flag.Status.NEW, Flag.Status.CLAIMED)


@dataclass
class Outcome:
    done: list = field(default_factory=list)  # flag ids
    refused: dict = field(default_factory=dict)  # flag id -> why


def _record(user, flag_ids, reason):
    """Conditional updates bypass save(): put them on the flags' history by hand."""
    if flag_ids:
        flags = list(Flag.objects.filter(id__in=flag_ids))
        Flag.history.bulk_history_create(
            flags, update=True, default_user=user, default_change_reason=reason
        )


def _refusals(flag_ids, done, user):
    refused = {}
    for flag in Flag.objects.filter(id__in=set(flag_ids) - set(done)).select_related(
        "assignee", "decided_by"
    ):
        if flag.status in (Flag.Status.ACCEPTED, Flag.Status.DISMISSED):
            who = flag.decided_by.get_username() if flag.decided_by else "someone"
            refused[flag.id] = f"already {flag.status} by {who}"
        elif flag.assignee_id and flag.assignee_id != user.id:
            refused[flag.id] = f"claimed by {flag.assignee.get_username()}"
        else:
            refused[flag.id] = "not in a state for this"
    return refused


def claim_flags(user, flag_ids):
    """Assign unclaimed new flags to the user; report who holds the others."""
    ids = list(flag_ids)
    with transaction.atomic():
        claimable = Flag.objects.filter(id__in=ids, status=Flag.Status.NEW, assignee=None)
        done = list(claimable.values_list("id", flat=True))
        Flag.objects.filter(id__in=done, status=Flag.Status.NEW, assignee=None).update(
            status=Flag.Status.CLAIMED, assignee=user
        )
        # Re-read: a flag another editor claimed between the two statements is theirs.
        done = list(Flag.objects.filter(id__in=done, assignee=user).values_list("id", flat=True))
        _record(user, done, "claimed")
    return Outcome(done, _refusals(ids, done, user))


def unassign_flags(user, flag_ids, anyone=False):
    """Give claimed flags back to the queue (one's own, or anyone's for publishers)."""
    ids = list(flag_ids)
    flags = Flag.objects.filter(id__in=ids, status=Flag.Status.CLAIMED)
    if not anyone:
        flags = flags.filter(assignee=user)
    done = list(flags.values_list("id", flat=True))
    Flag.objects.filter(id__in=done, status=Flag.Status.CLAIMED).update(
        status=Flag.Status.NEW, assignee=None
    )
    _record(user, done, "unassigned")
    return Outcome(done, _refusals(ids, done, user))


def _decidable(user):
    return Q(status__in=OPEN) & (Q(assignee=None) | Q(assignee=user))


def dismiss_flags(user, flag_ids, reason):
    ids = list(flag_ids)
    now = timezone.now()
    with transaction.atomic():
        done = list(Flag.objects.filter(_decidable(user), id__in=ids).values_list("id", flat=True))
        Flag.objects.filter(_decidable(user), id__in=done).update(
            status=Flag.Status.DISMISSED, decided_by=user, decided_at=now, note=reason.strip()
        )
        _record(user, done, f"dismissed: {reason.strip()}"[:100])
    return Outcome(done, _refusals(ids, done, user))


class FlagTaken(Exception):
    pass


@dataclass
class Draft:
    """One actor's draft position from an accepted flag, with its evidence
    (Evidence fields: quote, attribution, source_count, source_affiliation,
    cited_outlet, speaker)."""

    actor: object
    stance: int | None
    summary: str
    stated_on: object
    proposal: object = None
    support: str = ""
    evidence: dict = field(default_factory=dict)

    def position(self, flag, user):
        """The unsaved draft Position (and the rules it must pass: full_clean)."""
        return Position(
            actor=self.actor,
            debate=flag.debate,
            proposal=self.proposal,
            stance=self.stance,
            support=self.support if self.proposal else "",
            stated_on=self.stated_on,
            summary=self.summary,
            status=Position.Status.DRAFT,
            created_by=user,
        )

    def evidence_for(self, position, flag):
        return Evidence(position=position, item=flag.item, **self.evidence)


def accept_flag(user, flag, drafts):
    """Turn a flag into draft positions, one per Draft, each with the flag's item
    as evidence; all or nothing.

    Raises FlagTaken when someone else decided or holds the flag first, and
    ValidationError for an invalid position."""
    with transaction.atomic():
        now = timezone.now()
        taken = Flag.objects.filter(_decidable(user), id=flag.id).update(
            status=Flag.Status.ACCEPTED, decided_by=user, decided_at=now, assignee=user
        )
        if taken != 1:
            raise FlagTaken(_refusals([flag.id], [], user).get(flag.id, "not open"))
        positions = []
        for draft in drafts:
            position = draft.position(flag, user)
            position.full_clean()
            # Who made the change, on the history records, also outside a request.
            position._history_user = user
            position.save()
            evidence = draft.evidence_for(position, flag)
            evidence.full_clean()
            evidence._history_user = user
            evidence.save()
            positions.append(position)
        flag.positions.add(*positions)
        _record(user, [flag.id], "accepted")
    return positions
