"""The panel refuses bad input in a form: the form comes back saying what is
wrong, and nothing is saved."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from .forms import logged_in, submit
from .hostile import DEEP_QUERY

DEBATE = dict(title="Airspace", slug="airspace", question="How hard?", low_label="conservative",
              high_label="more aggressive")  # fmt: skip

REFUSED = [
    pytest.param(
        "actor", dict(kind="country", name="Atlantis", slug="atlantis", country="XZ"),
        "No country is known as “XZ”", id="invalid-country-code",
    ),
    pytest.param(
        "debate", dict(DEBATE, watch_query='NATO AND "eastern flank'),
        "unclosed quotation mark (at character 10)", id="broken-watch-query",
    ),
    pytest.param(
        "debate", dict(DEBATE, watch_query=DEEP_QUERY),
        "the query nests more than 32 levels deep", id="watch-query-nested-too-deep",
    ),
    pytest.param(
        "feed", dict(url="http://169.254.169.254/latest"),
        "169.254.169.254 is not a public address", id="feed-at-a-private-address",
    ),
    pytest.param(
        "feed", dict(url="http://127.0.0.1\\@example.com/"),
        "127.0.0.1 is not a public address", id="feed-host-behind-a-backslash",
    ),
    # Characters nobody sees are no name, refused in words rather than by a
    # constraint's name.
    pytest.param(
        "actor", dict(kind="organisation", name="\u200b\u200f", slug="unseen"),
        "Give the actor a name.", id="actor-name-nobody-sees",
    ),
    pytest.param(
        "outlet", dict(name="\u200b", domain="example.com"),
        "Give the outlet a name.", id="outlet-name-nobody-sees",
    ),
    pytest.param(
        "debate", dict(DEBATE, title="\u200b"),
        "Give the debate a title.", id="debate-title-nobody-sees",
    ),
    pytest.param(
        "feed", dict(url="https://93.184.216.34/feed.xml", poll_interval="0"),
        "Poll every 300 to 86,400 seconds (5 minutes to a day).", id="feed-polled-never",
    ),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("model_name", "changes", "message"), REFUSED)
def test_the_panel_refuses_bad_input_with_a_message_and_saves_nothing(
    editor, client, model_name, changes, message
):
    client.force_login(editor)
    response = submit(client, reverse(f"admin:tracker_{model_name}_add"), changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not apps.get_model("tracker", model_name).objects.exists()


@pytest.mark.django_db
def test_an_add_link_with_a_bogus_choice_opens_the_form_without_it(superuser):
    """?debate=7 fills in the debate (the panel's own links do this); a value that
    is no record's key is left out, not a server error."""
    client = logged_in(superuser)
    request = RequestFactory().get("/")
    request.user = superuser
    opened = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label != "tracker" or not model_admin.autocomplete_fields:
            continue
        if not model_admin.has_add_permission(request):
            continue  # flags: only the monitor makes them
        for name in model_admin.autocomplete_fields:
            url = reverse(f"admin:tracker_{meta.model_name}_add")
            for bogus in ("x", "1,x", "-1"):
                response = client.get(url, {name: bogus})
                assert response.status_code == 200, (url, name, bogus)
            opened.append(f"{meta.model_name}.{name}")
    assert {"position.debate", "membership.member", "evidence.position"} <= set(opened)


@pytest.mark.django_db
def test_a_wikidata_id_another_actor_has_is_refused_in_words(editor, client):
    from . import factories as f

    f.CountryFactory(name="France", slug="france", country="FR", wikidata_id="Q142")
    client.force_login(editor)
    response = submit(
        client,
        reverse("admin:tracker_actor_add"),
        dict(kind="organisation", name="Élysée", slug="elysee", wikidata_id="Q142"),
    )
    assert response.status_code == 200
    assert "Another actor has this Wikidata id." in response.content.decode()
    assert "Constraint" not in response.content.decode()


@pytest.mark.django_db
def test_an_alias_that_already_names_another_actor_is_refused(editor, client):
    from . import factories as f

    f.CountryFactory(name="Russia", slug="russia", country="RU", aliases=["Kremlin", "Moscow"])
    client.force_login(editor)
    response = submit(
        client,
        reverse("admin:tracker_actor_add"),
        dict(kind="official", name="Alias Dup", slug="alias-dup", aliases="Envoy\nkremlin"),
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "“kremlin” already names Russia (/actors/russia/)" in page
    assert not apps.get_model("tracker", "actor").objects.filter(slug="alias-dup").exists()


@pytest.mark.django_db
def test_an_option_titled_as_another_of_its_debate_is_refused(editor, client):
    from . import factories as f

    debate = f.DebateFactory()
    f.ProposalFactory(debate=debate, title="Arm surveillance drones", slug="arm-drones")
    client.force_login(editor)
    response = submit(
        client,
        reverse("admin:tracker_proposal_add"),
        dict(debate=debate.pk, rung="2", title="arm surveillance  drones", slug="arm-drones-2"),
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "This debate has an option titled “Arm surveillance drones” already." in page
    assert debate.proposals.count() == 1
