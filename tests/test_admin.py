"""The editorial panel: every model is there and usable to enter a debate by hand."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tracker.models import Actor, Debate, Position

from . import factories as f
from .forms import submit

TRACKER_MODELS = [m for m in admin.site._registry if m._meta.app_label == "tracker"]


def test_every_model_is_registered():
    names = {m.__name__ for m in TRACKER_MODELS}
    assert names >= {
        "Actor",
        "Membership",
        "Debate",
        "Proposal",
        "Position",
        "Evidence",
        "Outlet",
        "Feed",
        "CoverageItem",
        "Flag",
    }


@pytest.fixture
def populated(db):
    position = f.PositionFactory()
    f.EvidenceFactory(position=position)
    f.FlagFactory()
    f.FeedFactory()
    return position


@pytest.mark.django_db
@pytest.mark.parametrize("model", TRACKER_MODELS, ids=lambda m: m.__name__)
def test_changelists_and_forms_open_for_a_superuser(model, superuser, populated, client, rf):
    client.force_login(superuser)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert change.status_code == 200
    request = rf.get("/")
    request.user = superuser
    if admin.site._registry[model].has_add_permission(request):
        assert (
            client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
        )


@pytest.mark.django_db
def test_search_finds_an_actor_by_alias(superuser, client):
    f.ActorFactory(name="Russia", slug="russia", aliases=["Kremlin"])
    f.ActorFactory(name="France", slug="france")
    client.force_login(superuser)
    page = client.get(reverse("admin:tracker_actor_changelist"), {"q": "kremlin"})
    assert b"Russia" in page.content
    assert b"France" not in page.content


@pytest.mark.django_db
def test_actor_autocomplete_answers(editor, client):
    f.ActorFactory(name="Estonia", slug="estonia")
    client.force_login(editor)
    page = client.get(
        reverse("admin:autocomplete"),
        {"term": "esto", "app_label": "tracker", "model_name": "position", "field_name": "actor"},
    )
    assert page.status_code == 200
    assert [r["text"] for r in page.json()["results"]] == ["Estonia"]


@pytest.mark.django_db
def test_an_editor_enters_a_debate_with_proposals_by_hand(editor, client):
    client.force_login(editor)
    typed = dict(title="Drone wall", slug="drone-wall", question="Should Europe build a drone wall?",
                 low_label="sceptical", high_label="committed", watch_query='"drone wall"')  # fmt: skip
    proposal = {"proposals-TOTAL_FORMS": "1", "proposals-0-rung": "1",
                "proposals-0-title": "Sensors along the border", "proposals-0-slug": "sensors"}  # fmt: skip
    response = submit(client, reverse("admin:tracker_debate_add"), {**typed, **proposal})
    assert response.status_code == 302, response.content.decode()[:2000]
    debate = Debate.objects.get(slug="drone-wall")
    assert [p.slug for p in debate.proposals.all()] == ["sensors"]


@pytest.mark.django_db
def test_an_actor_form_takes_aliases_one_per_line(editor, client):
    client.force_login(editor)
    actor = dict(kind="country", name="Russia", slug="russia", country="RU",
                 aliases="Kremlin\r\nMoscow\r\n\r\nkremlin", wikidata_id="Q159")  # fmt: skip
    response = submit(client, reverse("admin:tracker_actor_add"), actor)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Actor.objects.get(slug="russia").aliases == ["Kremlin", "Moscow"]


def position_form(actor, debate, **overrides):
    data = {
        "actor": actor.pk,
        "debate": debate.pk,
        "proposal": "",
        "stance": "2",
        "support": "",
        "stated_on": "2025-10-09",
        "summary": "Wants armed drones on the border.",
        "status": "published",
        "retraction_reason": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_editors_position_stays_a_draft_even_if_published_is_posted(editor, client):
    actor, debate = f.ActorFactory(), f.DebateFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:tracker_position_add"), position_form(actor, debate))
    assert response.status_code == 302
    position = Position.objects.get()
    assert position.status == Position.Status.DRAFT
    assert position.created_by == editor
    assert position.published_at is None


@pytest.mark.django_db
def test_a_publisher_publishing_records_who_and_when(publisher, client):
    actor, debate = f.ActorFactory(), f.DebateFactory()
    client.force_login(publisher)
    client.post(reverse("admin:tracker_position_add"), position_form(actor, debate))
    position = Position.objects.get()
    assert position.status == Position.Status.DRAFT  # even a publisher drafts first
    f.EvidenceFactory(position=position)
    response = client.post(reverse("admin:tracker_position_publish", args=[position.pk]))
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.status == Position.Status.PUBLISHED
    assert position.published_by == publisher
    assert position.published_at is not None


@pytest.mark.django_db
def test_the_demo_debate_is_visible_in_the_admin(settings, tmp_path, editor, client):
    from django.core.management import call_command

    settings.DEBUG = True
    settings.DEMO_LOGINS_FILE = tmp_path / "logins.json"
    call_command("seed_demo")
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_debate_changelist"))
    assert "NATO&#x27;s answer to Russian airspace violations" in page.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:tracker_position_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_a_bad_evidence_url_is_reported_as_such_not_also_as_missing(editor, client):
    actor, debate = f.ActorFactory(), f.DebateFactory()
    client.force_login(editor)
    data = position_form(
        actor,
        debate,
        **{
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-url": "htp//not a url",
            "evidence-0-quote": "We will answer.",
            "evidence-0-attribution": "on_record",
        },
    )
    response = client.post(reverse("admin:tracker_position_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid URL." in page
    assert "Evidence needs a coverage item or a URL." not in page
    assert not Position.objects.exists()
    # With no URL and no story at all, the missing source is what is said.
    data["evidence-0-url"] = ""
    page = client.post(reverse("admin:tracker_position_add"), data).content.decode()
    assert "Evidence needs a coverage item or a URL." in page


EVIDENCE_TWICE = "This position has this evidence already: the same source and quote."


@pytest.mark.django_db
def test_the_same_evidence_is_not_added_twice_to_a_position(editor, client):
    actor, debate = f.ActorFactory(), f.DebateFactory()
    client.force_login(editor)
    row = {"url": "https://example.com/a", "quote": "We will answer.", "attribution": "on_record"}
    twice = {f"evidence-{n}-{name}": value for n in (0, 1) for name, value in row.items()}
    data = position_form(actor, debate, **{"evidence-TOTAL_FORMS": "2", **twice})
    response = client.post(reverse("admin:tracker_position_add"), data)
    assert response.status_code == 200
    assert EVIDENCE_TWICE in response.content.decode()
    assert not Position.objects.exists()

    position = f.PositionFactory(draft=True)
    f.EvidenceFactory(position=position, item=None, **row)
    again = client.post(reverse("admin:tracker_evidence_add"), {"position": position.pk, **row})
    assert again.status_code == 200  # a second click on Save, or Back and again
    assert EVIDENCE_TWICE in again.content.decode()
    assert position.evidence.count() == 1
