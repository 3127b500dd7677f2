"""Every change is on record: who, when, what — bulk actions included; only
publishers revert."""

import pytest
from django.urls import reverse

from tracker import desk
from tracker.models import Actor, Flag, Position

from . import factories as f
from .forms import change_form, logged_in, rendered_form
from .pages import parse, text


@pytest.mark.django_db
def test_a_position_history_shows_the_editor_and_the_publisher(editor, publisher, client):
    actor, debate = f.ActorFactory(), f.DebateFactory()
    client.force_login(editor)
    client.post(
        reverse("admin:tracker_position_add"),
        {
            "actor": actor.pk, "debate": debate.pk, "proposal": "", "stance": "1", "support": "",
            "stated_on": "2025-10-09", "summary": "Wants more.", "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    position = Position.objects.get()
    f.EvidenceFactory(position=position)
    client.force_login(publisher)
    client.post(reverse("admin:tracker_position_publish", args=[position.pk]))
    records = list(position.history.order_by("history_date"))
    assert [(r.history_type, r.status, r.history_user) for r in records] == [
        ("+", "draft", editor),
        ("~", "published", publisher),
    ]
    page = client.get(
        reverse("admin:tracker_position_history", args=[position.pk])
    ).content.decode()
    assert "editor-user" in page and "publisher-user" in page


@pytest.mark.django_db
def test_bulk_flag_decisions_are_on_record(editor, client):
    flags = [f.FlagFactory() for _ in range(3)]
    client.force_login(editor)
    client.post(
        reverse("admin:tracker_flag_changelist"),
        {"action": "claim", "_selected_action": [flag.pk for flag in flags]},
    )
    desk.dismiss_flags(editor, [flags[0].pk], "Off topic")
    for flag in flags:
        claimed = flag.history.filter(status="claimed").get()
        assert claimed.history_user == editor and claimed.history_change_reason == "claimed"
    dismissed = Flag.history.get(id=flags[0].pk, status="dismissed")
    assert dismissed.history_change_reason == "dismissed: Off topic"


@pytest.mark.django_db
def test_only_a_publisher_can_revert(editor, publisher, client):
    actor = f.ActorFactory(name="Original", slug="someone")
    actor.name = "Vandalised"
    actor.save()
    first = actor.history.order_by("history_date").first()
    url = reverse("admin:tracker_actor_simple_history", args=[actor.pk, first.history_id])
    form = {"kind": actor.kind, "name": "Original", "slug": "someone", "country": "", "aliases": "",
            "wikidata_id": "", "description": "", "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0"}  # fmt: skip
    client.force_login(editor)
    assert client.get(url).status_code == 200  # editors may look
    assert client.post(url, form).status_code == 403
    assert Actor.objects.get(pk=actor.pk).name == "Vandalised"
    client.force_login(publisher)
    assert client.post(url, form).status_code == 302
    assert Actor.objects.get(pk=actor.pk).name == "Original"
    assert actor.history.count() == 3


@pytest.mark.django_db
def test_reverting_cannot_rewrite_a_published_stance(publisher, client):
    position = f.ready_draft(stance=1)
    position.stance = -1
    position.save()
    desk.publish(position, publisher)
    first = position.history.order_by("history_date").first()
    client.force_login(publisher)
    response = client.post(
        reverse("admin:tracker_position_simple_history", args=[position.pk, first.history_id]),
        change_form(position, stance="1"),
    )
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.stance == -1 and position.status == "published"


def revert_as_a_browser_does(client, obj, record):
    """Open the revert page of this history record and submit its form as rendered."""
    model_name = obj._meta.model_name
    url = reverse(f"admin:tracker_{model_name}_simple_history", args=[obj.pk, record.history_id])
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, rendered_form(page.content.decode(), f"historical{model_name}_form"))


# transactional_db: the admin's own views run in a transaction of their own, and
# an ordinary test's transaction would hide a view that does not.
def test_a_publisher_reverts_an_actor_to_an_earlier_version(committing_publisher, client):
    actor = f.ActorFactory(name="Original", slug="someone", aliases=["First"])
    actor.name = "Vandalised"
    actor.aliases = []
    actor.save()
    client.force_login(committing_publisher)

    response = revert_as_a_browser_does(client, actor, actor.history.earliest("history_date"))

    assert response.status_code == 302
    actor = Actor.objects.get(pk=actor.pk)
    assert (actor.name, actor.aliases) == ("Original", ["First"])
    assert actor.history.count() == 3
    assert actor.version == 3  # created, vandalised, reverted: the count goes on
    told = client.get(response.url).content.decode().replace("&#x27;", "’")
    assert "“Original” is reverted to its version of " in told
    assert "changed successfully" not in told and ".." not in told
    reason = actor.history.latest("history_date").history_change_reason
    assert reason.startswith("reverted to the version of ")


def test_a_revert_opened_before_someone_saves_is_refused(committing_publisher, client):
    actor = f.ActorFactory(name="Original", slug="someone")
    actor.name = "Vandalised"
    actor.save()
    first = actor.history.earliest("history_date")
    url = reverse("admin:tracker_actor_simple_history", args=[actor.pk, first.history_id])
    client.force_login(committing_publisher)
    form = rendered_form(client.get(url).content.decode(), "historicalactor_form")
    actor.name = "Corrected meanwhile"
    actor.save()

    response = client.post(url, form)

    assert response.status_code == 200
    assert "Someone saved this" in response.content.decode()
    assert Actor.objects.get(pk=actor.pk).name == "Corrected meanwhile"


def test_a_publisher_reverts_a_drafts_summary(committing_publisher, client):
    position = f.PositionFactory(
        summary="Backed the initiative.", status="draft", published_at=None
    )
    position.summary = "Backed the initative, maybe."
    position.save()
    client.force_login(committing_publisher)

    response = revert_as_a_browser_does(client, position, position.history.earliest("history_date"))

    assert response.status_code == 302
    position = Position.objects.get(pk=position.pk)
    assert (position.summary, position.status) == ("Backed the initiative.", "draft")
    assert position.history.count() == 3


def test_a_published_position_is_not_reverted_but_corrected(committing_publisher, client):
    position = f.PositionFactory(summary="Backed the initiative.")
    position.summary = "Backed the initative, maybe."
    position.save()
    first = position.history.earliest("history_date")
    url = reverse("admin:tracker_position_simple_history", args=[position.pk, first.history_id])
    client.force_login(committing_publisher)

    response = client.post(url, {"summary": "Backed the initiative."})

    assert response.status_code == 403
    assert Position.objects.get(pk=position.pk).summary == "Backed the initative, maybe."


@pytest.mark.django_db
def test_a_position_history_reads_as_words_not_stored_values(editor, publisher, client):
    position = f.ready_draft(stance=1, summary="Wants more.")
    client.force_login(publisher)
    client.post(reverse("admin:tracker_position_publish", args=[position.pk]))
    page = parse(client.get(reverse("admin:tracker_position_history", args=[position.pk])))
    changes = [text(item) for item in page.xpath("//table[@id='change-history']//li")]
    assert "Status: Draft → Published" in changes
    assert "Published by: — → publisher-user" in changes
    assert any(change.startswith("Published at: — → ") for change in changes)
    # Bookkeeping is not a change an editor made.
    assert not [change for change in changes if change.startswith(("Version", "Updated at"))]
    body = text(page.xpath("//table[@id='change-history']")[0])
    assert "pk=None" not in body and "None" not in body


def revert(client, obj, record, model_name):
    from .forms import submit

    url = reverse(f"admin:tracker_{model_name}_simple_history", args=[obj.pk, record.history_id])
    return submit(client, url)


@pytest.mark.django_db
def test_reverting_a_withdrawn_debate_keeps_it_off_the_site_and_the_reason_on_record(
    publisher, client
):
    debate = f.DebateFactory(title="Original title")
    debate.title = "A later title"
    debate.save()
    desk.withdraw_debate(debate, publisher, "Duplicates another debate.")
    first = debate.history.order_by("history_date").first()
    assert first.status == "active"

    client.force_login(publisher)
    response = revert(client, debate, first, "debate")
    assert response.status_code == 302, response.content[:2000]
    debate.refresh_from_db()
    assert debate.title == "Original title"  # the content is reverted
    assert debate.status == "draft"  # but not what the withdrawal decided
    assert debate.withdrawn_reason == "Duplicates another debate."
    assert debate.withdrawn_by == publisher and debate.withdrawn_at is not None


@pytest.mark.django_db
def test_reverting_a_public_debate_to_its_draft_version_leaves_it_public(publisher, client):
    debate = f.DebateFactory(status="draft", title="Draft title")
    debate.status, debate.title = "active", "Public title"
    debate.save()
    first = debate.history.order_by("history_date").first()

    client.force_login(publisher)
    response = revert(client, debate, first, "debate")
    assert response.status_code == 302, response.content[:2000]
    debate.refresh_from_db()
    assert (debate.title, debate.status) == ("Draft title", "active")


@pytest.mark.django_db
def test_reverting_a_decided_flag_leaves_the_decision_as_it_is(editor, publisher, client):
    flag = f.FlagFactory()
    desk.dismiss_flags(editor, [flag.pk], "Off topic")
    first = flag.history.order_by("history_date").first()
    assert first.status == "new"

    client.force_login(publisher)
    response = revert(client, flag, first, "flag")
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by) == ("dismissed", editor), response.status_code


@pytest.mark.django_db
def test_an_earlier_version_of_a_retracted_position_is_shown_without_a_revert(publisher, client):
    position = f.PositionFactory(draft=True, summary="First words")
    f.EvidenceFactory(position=position)
    desk.publish(position, publisher)
    desk.retract(position, publisher, "Misattributed quote")
    first = position.history.order_by("history_date").first()
    url = reverse("admin:tracker_position_simple_history", args=[position.pk, first.history_id])
    client.force_login(publisher)
    page = parse(client.get(url))
    assert page.xpath("//input[@type='submit' and @name='_save']") == []
    assert "Revert" not in text(page.xpath("//h1")[0])


@pytest.mark.django_db
def test_a_history_address_with_a_key_that_is_no_number_is_not_found(editor):
    debate = f.DebateFactory()
    client = logged_in(editor)
    for address in (
        "/admin/tracker/actor/abc/history/",
        "/admin/tracker/position/25x/history/",
        f"/admin/tracker/debate/{debate.pk}/history/abc/",
        "/admin/tracker/debate/abc/history/1/",
    ):
        assert client.get(address).status_code == 404, address


@pytest.mark.django_db
def test_reverting_a_debates_pole_labels_turns_its_open_flags_back(publisher, client):
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    flag = f.FlagFactory(
        debate=debate, suggested_stance=2, stance_reasons=[{"cue": "pushing", "direction": 1}]
    )
    first = debate.history.order_by("history_date").first()
    client.force_login(publisher)
    from .forms import submit

    change = reverse("admin:tracker_debate_change", args=[debate.pk])
    submit(client, change, {"low_label": "more aggressive", "high_label": "conservative"})
    flag.refresh_from_db()
    assert flag.suggested_stance == -2
    assert revert(client, debate, first, "debate").status_code == 302
    debate.refresh_from_db()
    flag.refresh_from_db()
    assert (debate.low_label, flag.suggested_stance, flag.stance_reasons) == (
        "conservative", 2, [{"cue": "pushing", "direction": 1}],
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["editor", "publisher"])
def test_a_version_that_cannot_be_reverted_is_shown_read_only(who, request, client):
    """An editor may look at an earlier version but not revert to it, and
    nobody reverts a published position: the page shows the old values as
    text, with no field to type in and no button that could only be refused."""
    user = request.getfixturevalue(who)
    if who == "editor":
        record = f.ActorFactory(name="Original", slug="someone")
        record.name = "Vandalised"
    else:
        record = f.PositionFactory(summary="Backed the initiative.")
        record.summary = "Backed the initative, maybe."
    record.save()
    first = record.history.earliest("history_date")
    model_name = record._meta.model_name
    url = reverse(f"admin:tracker_{model_name}_simple_history", args=[record.pk, first.history_id])
    client.force_login(user)

    page = parse(client.get(url))

    (form,) = page.xpath(f"//form[@id='historical{model_name}_form']")
    typed = [
        field.get("name")
        for field in form.xpath(".//input | .//textarea | .//select")
        if field.get("type") not in ("hidden", "submit")
    ]
    assert typed == []
    assert not form.xpath(".//*[@type='submit']")
    old = "Original" if who == "editor" else "Backed the initiative."
    assert old in text(form)
    assert "Opened version" not in text(form)  # the edit form's lock, nothing to read


def test_a_revert_of_a_draft_published_meanwhile_says_so(committing_publisher, client):
    position = f.ready_draft(summary="Backed the initiative.")
    position.summary = "Backed the initative, maybe."
    position.save()
    first = position.history.earliest("history_date")
    url = reverse("admin:tracker_position_simple_history", args=[position.pk, first.history_id])
    client.force_login(committing_publisher)
    form = rendered_form(client.get(url).content.decode(), "historicalposition_form")
    desk.publish(Position.objects.get(pk=position.pk), committing_publisher)

    response = client.post(url, form)

    assert response.status_code == 302
    assert response.url == reverse("admin:tracker_position_change", args=[position.pk])
    told = text(parse(client.get(response.url)))
    assert (
        f"Not reverted: {committing_publisher.get_username()} published this position "
        "after you opened its earlier version." in told
    )
    assert "draft a correction" in told
    assert Position.objects.get(pk=position.pk).summary == "Backed the initative, maybe."
