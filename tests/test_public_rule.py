"""What readers may see is decided once, by the public querysets in tracker/models."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from tracker.models import Actor, Debate, Evidence, Position, Proposal

from . import factories as f

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
READER_FACING = [
    *sorted((TRACKER / "public").glob("*.py")),
    *sorted((TRACKER / "api").glob("*.py")),
    *sorted((TRACKER / "templatetags").glob("*.py")),
    TRACKER / "views.py",
]
# A debate's status, in any spelling a caller could use to re-state the rule.
RESTATEMENTS = re.compile(r"debate__status|Status\.DRAFT|debate\.status\s*[!=]=|[\"']draft[\"']")


def test_no_reader_facing_module_restates_what_the_public_may_see():
    assert len(READER_FACING) > 15  # the scan reads the modules it means to
    found = [
        f"{path.relative_to(TRACKER.parent)}:{number}: {line.strip()}"
        for path in READER_FACING
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if RESTATEMENTS.search(line)
    ]
    assert found == []


def test_the_scan_catches_each_way_of_restating_the_rule():
    for line in (
        '.exclude(debate__status="draft")',
        ".exclude(position__debate__status=Debate.Status.DRAFT)",
        'if p.debate.status != "draft"',
    ):
        assert RESTATEMENTS.search(line), line
    assert not RESTATEMENTS.search("Position.objects.public().current()")


DAY = datetime.date(2025, 10, 9)


@pytest.fixture
def two_debates(db):
    """The same actor shifting in a public debate and in a draft one."""
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    shown = f.DebateFactory(slug="shown")
    hidden = f.DebateFactory(slug="hidden", status=Debate.Status.DRAFT)
    for debate in (shown, hidden):
        f.ProposalFactory(debate=debate, slug=f"{debate.slug}-option", rung=1)
        f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=DAY)
        later = f.PositionFactory(
            debate=debate, actor=estonia, stance=1, stated_on=DAY + datetime.timedelta(days=3)
        )
        f.EvidenceFactory(position=later)
        f.PositionFactory(
            debate=debate, actor=estonia, status="retracted", retracted_at=timezone.now(), stance=0,
            retraction_reason="Misquoted",
        )  # fmt: skip
        draft = f.PositionFactory(
            debate=debate, actor=estonia, status="draft", published_at=None, stance=2
        )
        f.EvidenceFactory(position=draft)
    return estonia


def debates_of(queryset, path="debate__slug"):
    return sorted(queryset.values_list(path, flat=True))


def test_public_positions_are_published_and_retracted_ones_of_public_debates(two_debates):
    public = Position.objects.public()
    assert debates_of(public) == ["shown", "shown", "shown"]
    assert sorted(public.values_list("status", flat=True)) == [
        "published",
        "published",
        "retracted",
    ]


def test_current_positions_and_shifts_chained_on_public_leave_out_draft_debates(two_debates):
    public = Position.objects.public()
    assert [(p.debate.slug, p.stance) for p in public.current()] == [("shown", 1)]
    assert [(p.debate.slug, p.stance) for p in public.current_for_actor(two_debates)] == [
        ("shown", 1)
    ]
    assert [(s.debate.slug, s.previous_stance, s.stance) for s in public.shifts()] == [
        ("shown", -1, 1)
    ]
    # The editorial panel, which starts from all positions, still sees both debates.
    assert debates_of(Position.objects.current()) == ["hidden", "shown"]


def test_public_proposals_evidence_and_debates_leave_out_draft_debates(two_debates):
    assert debates_of(Debate.objects.public(), "slug") == ["shown"]
    assert debates_of(Proposal.objects.public()) == ["shown"]
    assert debates_of(Evidence.objects.public(), "position__debate__slug") == ["shown"]


def test_public_evidence_leaves_out_what_a_correction_replaced(two_debates):
    evidence = Evidence.objects.public().get()
    Evidence.objects.filter(id=evidence.id).update(superseded_at=evidence.position.published_at)
    assert not Evidence.objects.public().exists()


def test_every_actor_is_public(two_debates):
    f.ActorFactory(slug="no-positions")
    assert sorted(Actor.objects.public().values_list("slug", flat=True)) == [
        "estonia",
        "no-positions",
    ]
