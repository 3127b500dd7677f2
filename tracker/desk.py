"""The editorial desk's moves, as plain functions: every state change of a flag
(claim, unassign, dismiss, accept) and of a position (publish, retract, draft and
apply a correction), and the rules those moves use (the shift a publication
makes, the debates whose watch query names some actors).

Every flag move is a conditional update, so two editors acting at once cannot
both win: the update only touches flags still in the state the move expects.
What a position row may hold at all (fixed fields once published, the allowed
status moves) is the model's to enforce on every save."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Debate, Evidence, Flag, Position
from .models.common import one_line
from .models.shifts import describe_shift
from .watchquery import actor_slugs, parse_query

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


def refusal(flag, user):
    """Why the user may not decide the flag now (someone decided it, or holds
    it), or None."""
    if flag.status in (Flag.Status.ACCEPTED, Flag.Status.DISMISSED):
        who = flag.decided_by.get_username() if flag.decided_by else "someone"
        return f"already {flag.status} by {who}"
    if flag.assignee_id and flag.assignee_id != user.id:
        return f"claimed by {flag.assignee.get_username()}"
    return None


def _refusals(flag_ids, done, user):
    return {
        flag.id: refusal(flag, user)
        or ("already yours" if flag.assignee_id == user.id else "not in a state for this")
        for flag in Flag.objects.filter(id__in=set(flag_ids) - set(done)).select_related(
            "assignee", "decided_by"
        )
    }


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
    with transaction.atomic():
        done = _give_back(_unassignable(user, ids, anyone))
        _record(user, done, "unassigned")
    return Outcome(done, _refusals(ids, done, user))


def _unassignable(user, ids, anyone):
    """Who holds each claimed flag the user may give back, as read: {flag id: assignee id}."""
    held = Flag.objects.select_for_update().filter(id__in=ids, status=Flag.Status.CLAIMED)
    if not anyone:
        held = held.filter(assignee=user)
    return dict(held.values_list("id", "assignee_id"))


def _give_back(holders):
    """Unassign flags still held by whom they were read to be held by: the UPDATE
    re-checks the assignee, so a flag someone else claimed since stays theirs.
    Returns the flags given back."""
    if not holders:
        return []
    by_assignee = {}
    for flag_id, assignee_id in holders.items():
        by_assignee.setdefault(assignee_id, []).append(flag_id)
    as_read = Q()
    for assignee_id, flag_ids in by_assignee.items():
        as_read |= Q(assignee_id=assignee_id, id__in=flag_ids)
    Flag.objects.filter(as_read, status=Flag.Status.CLAIMED).update(
        status=Flag.Status.NEW, assignee=None
    )
    given_back = Flag.objects.filter(id__in=holders, status=Flag.Status.NEW, assignee=None)
    return list(given_back.values_list("id", flat=True))


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


# Readers are told why the desk believes each position: none goes out bare.
NEEDS_EVIDENCE = (
    "A position is published with at least one piece of evidence: add the story, "
    "a URL or the desk's own inference, then publish."
)


def lacks_evidence(position):
    """Whether the draft has no current evidence, and so cannot be published."""
    return not position.evidence.current().exists()


def publish(position, user, now=None):
    """Publish a draft; a drafted correction is applied to what it corrects
    instead, and that (published) position is returned."""
    if position.status != Position.Status.DRAFT:
        raise ValidationError("Only a draft can be published.")
    position.full_clean()
    if position.corrects_id:
        return _apply_correction(position, user, now or timezone.now())
    if lacks_evidence(position):
        raise ValidationError(NEEDS_EVIDENCE)
    position.status = Position.Status.PUBLISHED
    position.published_at = now or timezone.now()
    position.published_by = user
    position.save()
    return position


def retract(position, user, reason, now=None):
    if position.status != Position.Status.PUBLISHED:
        raise ValidationError("Only a published position can be retracted.")
    if not one_line(reason):
        raise ValidationError({"retraction_reason": "Say why the position is retracted."})
    position.status = Position.Status.RETRACTED
    position.retracted_at = now or timezone.now()
    position.retracted_by = user
    position.retraction_reason = reason.strip()
    position.save()


def withdraw_debate(debate, user, reason, now=None):
    """Take a public debate off the site (back to draft), keeping who, when and why;
    False when readers did not see it anyway."""
    if not one_line(reason):
        raise ValidationError({"withdrawn_reason": "Say why the debate leaves the site."})
    if debate.status == Debate.Status.DRAFT:
        return False
    debate.status = Debate.Status.DRAFT
    debate.withdrawn_at = now or timezone.now()
    debate.withdrawn_by = user
    debate.withdrawn_reason = reason.strip()
    debate._change_reason = f"taken off the site: {debate.withdrawn_reason}"[:100]
    debate.save()
    return True


# What a correction may change on a published position; its evidence is replaced.
CORRECTED_FIELDS = ("summary",)


def draft_correction(position, user):
    """A draft copy of this published position, with copies of its current
    evidence, for an editor to correct; a pending one is reused."""
    if position.status != Position.Status.PUBLISHED:
        raise ValidationError("Only a published position can be corrected.")
    pending = position.corrections.first()
    if pending is not None:
        return pending
    kept = (*Position.FIXED_ONCE_PUBLISHED, *CORRECTED_FIELDS)
    correction = Position(
        corrects=position,
        status=Position.Status.DRAFT,
        created_by=user,
        **{name: getattr(position, name) for name in kept},
    )
    correction.save()
    for evidence in position.evidence.current():
        evidence.pk = None
        evidence._state.adding = True
        evidence.position = correction
        evidence.save()
    return correction


def _apply_correction(correction, user, now):
    """Put a drafted correction's text and evidence on the published position it
    corrects. The old text stays in that position's history; the old evidence
    stays on record, marked superseded; the draft itself is used up."""
    original = Position.objects.select_for_update().get(pk=correction.corrects_id)
    if original.status != Position.Status.PUBLISHED:
        raise ValidationError(
            f"The position this corrects is {original.get_status_display().lower()}; "
            "only a published position can be corrected."
        )
    note = correction.correction_note.strip()
    if not note:
        raise ValidationError({"correction_note": "Say what was corrected, for readers."})
    if not correction.evidence.exists():
        raise ValidationError("A correction keeps at least one piece of evidence.")
    for name in CORRECTED_FIELDS:
        setattr(original, name, getattr(correction, name))
    original.correction_note = note
    original.corrected_at = now
    original.corrected_by = user
    original._change_reason = f"correction: {note}"[:100]
    original.save()
    for evidence in original.evidence.current():
        evidence.superseded_at = now
        evidence.save()
    for evidence in correction.evidence.all():
        evidence.position = original
        evidence.save()
    correction.delete()
    return original


def previous_published(position):
    """The same actor's published position on the same debate or proposal just
    before this one: what a publication shifts from."""
    earlier = (
        Position.objects.published()
        .filter(
            actor_id=position.actor_id,
            debate_id=position.debate_id,
            proposal_id=position.proposal_id,
            stated_on__lte=position.stated_on,
        )
        .exclude(pk=position.pk)
    )
    return earlier.order_by("-stated_on", "-published_at", "-id").first()


def repeated(position):
    """The published position this draft says again, word for word on the
    scale: same actor, debate or option, stance, answer and date. Publishing
    it would list the actor twice that day, which is most often an article
    accepted twice rather than a second statement."""
    if position.corrects_id:
        return None
    previous = previous_published(position)
    same = previous is not None and (
        previous.stated_on,
        previous.stance,
        previous.support,
    ) == (position.stated_on, position.stance, position.support)
    return previous if same else None


def shift_description(position):
    """The shift publishing this position makes, told as readers will read it
    ('Full flop: Estonia moved from −1 to +1 on …'), else ''."""
    if position.corrects_id:
        return ""
    previous = previous_published(position)
    if previous is None:
        return ""
    told = describe_shift(
        previous, position, previous.evidence.current(), position.evidence.current()
    )
    return told.sentence if told else ""


def debates_naming_actors(slugs):
    """Debates whose watch query names any of these actors (by slug); a query
    that does not parse names nobody."""
    slugs = set(slugs)
    debates = []
    for debate in Debate.objects.exclude(watch_query=""):
        try:
            if actor_slugs(parse_query(debate.watch_query)) & slugs:
                debates.append(debate)
        except ValueError:
            continue
    return debates
