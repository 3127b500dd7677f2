"""Two editors editing the same record: the second save is refused with what
changed, and the first editor's change is kept."""

import pytest
from django.urls import reverse

from tracker.models import Actor, Position

from . import factories as f
from .forms import change_form, logged_in, rendered_form


def actor_form(actor, version, **overrides):
    data = {
        "kind": actor.kind, "name": actor.name, "slug": actor.slug, "country": actor.country,
        "aliases": "\n".join(actor.aliases), "wikidata_id": "", "description": "",
        "opened_version": str(version), "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_second_save_of_an_actor_is_refused_and_says_what_changed(editor, publisher, client):
    actor = f.ActorFactory(name="Russia", slug="russia", aliases=["Kremlin"])
    url = reverse("admin:tracker_actor_change", args=[actor.pk])
    opened = actor.version  # both editors open the form now
    client.force_login(editor)
    assert client.post(url, actor_form(actor, opened, aliases="Kremlin\nMoscow")).status_code == 302
    client.force_login(publisher)
    response = client.post(url, actor_form(actor, opened, description="A country."))
    page = response.content.decode()
    assert response.status_code == 200
    assert "editor-user saved this after you opened it" in page
    assert "Aliases is now “Kremlin, Moscow”" in page
    actor.refresh_from_db()
    assert actor.aliases == ["Kremlin", "Moscow"]
    assert actor.description == ""


@pytest.mark.django_db
def test_the_second_save_of_a_position_is_refused(editor, client):
    position = f.PositionFactory(status="draft", published_at=None, summary="First words")
    opened = position.version
    url = reverse("admin:tracker_position_change", args=[position.pk])
    client.force_login(editor)
    first = client.post(
        url, change_form(position, summary="Edited by one", opened_version=str(opened))
    )
    assert first.status_code == 302
    second = client.post(url, change_form(position, stance="-2", opened_version=str(opened)))
    assert "Summary is now “Edited by one”" in second.content.decode()
    position.refresh_from_db()
    assert (position.summary, position.stance) == ("Edited by one", 1)


@pytest.mark.django_db
def test_saving_from_a_fresh_form_works_after_a_conflict(editor, client):
    actor = f.ActorFactory(name="Poland", slug="poland")
    url = reverse("admin:tracker_actor_change", args=[actor.pk])
    client.force_login(editor)
    client.post(url, actor_form(actor, actor.version, description="one"))
    actor = Actor.objects.get(pk=actor.pk)
    assert client.post(url, actor_form(actor, actor.version, description="two")).status_code == 302
    assert Actor.objects.get(pk=actor.pk).description == "two"
    assert Position.objects.count() == 0


@pytest.mark.django_db
def test_the_second_save_of_a_debate_is_refused_and_keeps_the_first(editor, publisher):
    debate = f.DebateFactory(summary="")
    url = reverse("admin:tracker_debate_change", args=[debate.pk])
    one, other = logged_in(editor), logged_in(publisher)  # both open the form now
    first, second = (
        rendered_form(c.get(url).content.decode(), "debate_form") for c in (one, other)
    )
    assert one.post(url, {**first, "summary": "What the allies argue about."}).status_code == 302
    response = other.post(url, {**second, "question": "How hard should NATO answer?"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "editor-user saved this after you opened it" in page
    assert "Summary is now “What the allies argue about.”" in page
    debate.refresh_from_db()
    assert debate.summary == "What the allies argue about."


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", ["proposal", "evidence"])
def test_the_second_save_of_an_option_or_a_piece_of_evidence_is_refused(
    editor, publisher, model_name
):
    if model_name == "proposal":
        record = f.ProposalFactory(description="")
        field, first_value, second = "description", "Armed drones on the flank.", "rung"
    else:
        record = f.EvidenceFactory(position=f.PositionFactory(draft=True), quote="First.")
        field, first_value, second = "quote", "We must raise the cost.", "speaker"
    url = reverse(f"admin:tracker_{model_name}_change", args=[record.pk])
    one, other = logged_in(editor), logged_in(publisher)  # both open the form now
    forms_id = f"{model_name}_form"
    first, later = (rendered_form(c.get(url).content.decode(), forms_id) for c in (one, other))
    assert one.post(url, {**first, field: first_value}).status_code == 302
    response = other.post(url, {**later, second: "3" if second == "rung" else "A diplomat"})
    assert response.status_code == 200
    assert "editor-user saved this after you opened it" in response.content.decode()
    record.refresh_from_db()
    assert getattr(record, field) == first_value
