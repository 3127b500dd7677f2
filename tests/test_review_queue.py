"""The review queue: claiming, dismissing and accepting flags, safely for
several editors at once."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tracker import desk
from tracker.models import Evidence, Flag, Position

from . import factories as f
from .factories import UserFactory
from .forms import submit

QUEUE = reverse("admin:tracker_flag_changelist")
# The accept screen opens with no row ticked; these tests log both matched actors.
TICK_BOTH = {"actors-0-take": "on", "actors-1-take": "on"}


@pytest.fixture
def world(db):
    russia = f.ActorFactory(slug="russia", name="Russia", aliases=["Kremlin"])
    nato = f.ActorFactory(slug="nato", name="NATO")
    debate = f.DebateFactory(slug="airspace", title="Airspace")
    ft = f.OutletFactory(name="Financial Times")
    wire = f.OutletFactory(name="Example Wire")
    item = f.CoverageItemFactory(
        title="Kremlin drones cross NATO airspace",
        outlet=wire,
        cited_outlet=ft,
        summary="<p>Allies push for a stronger response after Kremlin drones crossed NATO airspace, "
        "the FT reported, citing four NATO officials.</p>",
    )
    f.CoverageItemFactory(outlet=f.OutletFactory(name="Copy Daily"), duplicate_of=item)
    return f.FlagFactory(
        item=item, debate=debate, score=7, matched_terms=["NATO", "drone*", "@russia"],
        suggested_stance=2, stance_reasons=[{"cue": "push for", "direction": 1}],
        matched_actors=[russia, nato],
    )  # fmt: skip


@pytest.mark.django_db
def test_the_queue_shows_what_an_editor_needs(editor, client, world):
    f.FlagFactory(debate=world.debate, score=99, status="dismissed", decided_at=timezone.now())
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    assert '<mark class="actor" title="Russia">Kremlin</mark> <mark>drones</mark>' in page
    assert "Example Wire" in page
    assert "+2<br><small>+ push for</small>" in page
    assert "NATO, Russia" in page or "Russia, NATO" in page
    assert "2 outlets ran it" in page
    assert 'field-status">Dismissed' not in page  # the queue opens on new flags
    everything = client.get(QUEUE + "?queue=all").content.decode()
    assert 'field-status">Dismissed' in everything and "Kremlin drones cross" in everything


@pytest.mark.django_db
def test_claiming_is_first_come_and_the_loser_sees_who_has_it(editor, client, world):
    client.force_login(editor)
    client.post(QUEUE, {"action": "claim", "_selected_action": [world.pk]})
    world.refresh_from_db()
    assert world.status == "claimed" and world.assignee == editor
    # Claimed again by its holder: it is said to be theirs already.
    again = client.post(QUEUE, {"action": "claim", "_selected_action": [world.pk]}, follow=True)
    assert "already yours" in again.content.decode()
    assert "not in a state for this" not in again.content.decode()
    second = f.second_editor()
    client.force_login(second)
    page = client.post(QUEUE, {"action": "claim", "_selected_action": [world.pk]}, follow=True)
    assert "claimed by editor-user" in page.content.decode()
    world.refresh_from_db()
    assert world.assignee == editor


@pytest.mark.django_db(transaction=True)
def test_two_editors_claiming_at_the_same_moment_get_one_winner(world):
    first, second = UserFactory(username="one"), UserFactory(username="two")
    barrier = threading.Barrier(2)
    outcomes = {}

    def claim(user):
        try:
            barrier.wait()
            outcomes[user.username] = desk.claim_flags(user, [world.pk])
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, outcome in outcomes.items() if outcome.done == [world.pk]]
    assert len(winners) == 1
    loser = "two" if winners == ["one"] else "one"
    assert outcomes[loser].refused == {world.pk: f"claimed by {winners[0]}"}
    assert Flag.objects.get(pk=world.pk).assignee.username == winners[0]


@pytest.mark.django_db
def test_unassign_gives_a_flag_back(editor, client, world):
    desk.claim_flags(editor, [world.pk])
    client.force_login(editor)
    client.post(QUEUE, {"action": "unassign", "_selected_action": [world.pk]})
    world.refresh_from_db()
    assert world.status == "new" and world.assignee is None


def assert_a_claim_since_the_read_stays(flag, read):
    """Another editor claims the flag after an unassign read it: giving back what
    was read leaves the new claim alone."""
    other = UserFactory(username="other-editor")
    desk.claim_flags(other, [flag.pk])
    assert desk._give_back(read) == []
    flag.refresh_from_db()
    assert (flag.status, flag.assignee) == ("claimed", other)


@pytest.mark.django_db
def test_a_flag_claimed_by_someone_else_after_unassign_read_it_stays_theirs(editor, world):
    desk.claim_flags(editor, [world.pk])
    read = desk._unassignable(editor, [world.pk], anyone=False)
    # Between the read and the update, the flag is given back and another editor claims it.
    Flag.objects.filter(pk=world.pk).update(status="new", assignee=None)
    assert_a_claim_since_the_read_stays(world, read)


@pytest.mark.django_db
def test_a_publisher_unassigning_anyone_leaves_a_claim_made_since_the_read(
    editor, publisher, world
):
    desk.claim_flags(editor, [world.pk])
    read = desk._unassignable(publisher, [world.pk], anyone=True)
    desk.unassign_flags(editor, [world.pk])
    assert_a_claim_since_the_read_stays(world, read)


@pytest.mark.django_db
def test_a_publisher_gives_back_flags_held_by_several_editors(editor, publisher, world):
    second = f.FlagFactory(item=world.item, debate=f.DebateFactory(slug="other"))
    other = UserFactory(username="other-editor")
    desk.claim_flags(editor, [world.pk])
    desk.claim_flags(other, [second.pk])

    outcome = desk.unassign_flags(publisher, [world.pk, second.pk], anyone=True)

    assert sorted(outcome.done) == sorted([world.pk, second.pk])
    assert Flag.objects.filter(status="new", assignee=None).count() == 2


@pytest.mark.django_db
def test_dismissing_asks_for_a_reason_and_records_it(editor, client, world):
    client.force_login(editor)
    ask = client.post(QUEUE, {"action": "dismiss", "_selected_action": [world.pk]})
    assert "Say why" in ask.content.decode()
    world.refresh_from_db()
    assert world.status == "new"
    client.post(
        QUEUE, {"action": "dismiss", "_selected_action": [world.pk], "reason": "Sports story"}
    )
    world.refresh_from_db()
    assert (world.status, world.note, world.decided_by) == ("dismissed", "Sports story", editor)


@pytest.mark.django_db
def test_the_accept_form_is_prefilled_from_the_flag(editor, client, world):
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_flag_accept", args=[world.pk])).content.decode()
    assert "Kremlin drones cross NATO airspace" in page
    assert 'value="2" selected' in page  # the suggested stance
    assert "Allies push for a stronger response after" in page  # the quote around the match
    assert f'<option value="{world.item.cited_outlet_id}" selected>Financial Times</option>' in page


@pytest.mark.django_db
def test_accepting_logs_draft_positions_with_the_attribution_chain(editor, client, world):
    client.force_login(editor)
    response = submit(client, reverse("admin:tracker_flag_accept", args=[world.pk]), TICK_BOTH)
    assert response.status_code == 302
    positions = Position.objects.order_by("actor__slug")
    assert [p.actor.slug for p in positions] == ["nato", "russia"]
    assert {p.status for p in positions} == {"draft"}
    assert {p.created_by for p in positions} == {editor}
    evidence = Evidence.objects.get(position=positions[0])
    assert evidence.item == world.item
    assert (
        evidence.attribution_chain
        == "Example Wire, citing Financial Times, citing four NATO officials"
    )
    world.refresh_from_db()
    assert world.status == "accepted" and world.decided_by == editor
    assert set(world.positions.all()) == set(positions)


@pytest.mark.django_db
def test_an_invalid_acceptance_creates_nothing(editor, client, world):
    client.force_login(editor)
    response = submit(
        client,
        reverse("admin:tracker_flag_accept", args=[world.pk]),
        {**TICK_BOTH, "actors-0-stance": ""},
    )
    assert response.status_code == 200
    assert "needs a stance" in response.content.decode()
    assert not Position.objects.exists()
    world.refresh_from_db()
    assert world.status == "new"


@pytest.mark.django_db
def test_a_flag_someone_else_holds_cannot_be_accepted(editor, client, world):
    desk.claim_flags(f.second_editor(), [world.pk])
    client.force_login(editor)
    response = submit(client, reverse("admin:tracker_flag_accept", args=[world.pk]), TICK_BOTH)
    page = client.get(response.url).content.decode()
    assert "Not accepted: claimed by second-editor." in page
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_queue_text_from_feeds_is_escaped(editor, client, world):
    world.item.title = "<script>alert(1)</script>"
    world.item.summary = "<b>NATO</b> &lt;img src=x onerror=alert(2)&gt;"
    world.item.save()
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page


@pytest.mark.django_db
def test_queue_query_count_does_not_grow_with_flags(editor, client, world):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    client.force_login(editor)
    for _ in range(5):
        flag = f.FlagFactory(debate=world.debate, matched_terms=["NATO"])
        flag.matched_actors.set(world.matched_actors.all())
    few = count()
    for _ in range(40):
        flag = f.FlagFactory(debate=world.debate, matched_terms=["NATO"])
        flag.matched_actors.set(world.matched_actors.all())
    assert count() == few


@pytest.mark.django_db
def test_the_queue_filters_by_score_and_outlet(editor, client, world):
    low = f.FlagFactory(debate=world.debate, score=1, item=f.CoverageItemFactory(title="LOW-SCORE"))
    client.force_login(editor)
    assert "LOW-SCORE" not in client.get(QUEUE + "?score_at_least=5").content.decode()
    assert "LOW-SCORE" in client.get(QUEUE).content.decode()
    page = client.get(QUEUE + f"?item__outlet__id__exact={low.item.outlet_id}").content.decode()
    assert "LOW-SCORE" in page and "Kremlin drones cross" not in page


@pytest.mark.django_db
def test_changelists_never_count_a_whole_large_table(editor, client, world, monkeypatch):
    from tracker.admin import paginators

    monkeypatch.setattr(paginators, "COUNT_CAP", 3)
    f.CoverageItemFactory.create_batch(6)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("admin:tracker_coverageitem_changelist")).status_code == 200
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)


@pytest.mark.django_db
def test_the_queue_marks_what_the_matcher_matched_even_in_a_ligature(editor, client, world):
    world.item.summary = "<p>Allies may open ﬁre on drones over Estonia.</p>"
    world.item.save()
    world.matched_terms = ["fire*"]
    world.save()
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    assert "Allies may open <mark>ﬁre</mark> on drones over Estonia." in page


@pytest.mark.django_db
def test_the_queue_page_is_titled_as_editors_call_it(editor, client):
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    assert "<h1>Review queue</h1>" in page
    assert "Select flag to change" not in page


@pytest.mark.django_db
def test_show_all_after_a_search_shows_every_flag_not_the_unclaimed_view(editor, client):
    mine = f.FlagFactory()
    desk.claim_flags(editor, [mine.pk])
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_flag_changelist"), {"q": "Story", "queue": "all"})
    text = page.content.decode()
    assert 'href="?queue=all">Show all</a>' in text
    assert "Searches the flagged articles’ headlines." in text.replace("&#x27;", "’").replace(
        "'", "’"
    )
    everything = client.get(reverse("admin:tracker_flag_changelist"), {"queue": "all"})
    assert mine.item.title in everything.content.decode()
