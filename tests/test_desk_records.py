"""The panel's write paths for the desk's other records — actors and their
memberships, outlets, coverage items, one's own digest address — submitted as a
browser submits them (every field the page renders), for each role. Positions
and debates: test_desk_write_paths.py."""

import pytest
from django.urls import reverse

from tracker.models import Actor, CoverageItem, Membership, Outlet

from . import factories as f
from .forms import logged_in, submit


@pytest.mark.django_db
def test_adding_a_country_from_the_panel_saves_it(desk_user):
    client = logged_in(desk_user)
    response = submit(
        client,
        reverse("admin:tracker_actor_add"),
        {"kind": "country", "name": "Belgium", "slug": "belgium", "country": "BE"},
    )
    assert response.status_code == 302, response.content[:3000]
    belgium = Actor.objects.get(slug="belgium")
    assert (belgium.name, belgium.kind, belgium.country, belgium.version) == (
        "Belgium", "country", "BE", 1,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, saved",
    [("Estonia", "EE"), ("ee", "EE"), (" EST ", "EE"), ("Czechia", "CZ"), ("EE", "EE"),
     ("Russia", "RU"), ("Turkey", "TR"), ("UK", "GB"), ("Britain", "GB"), ("Kosovo", "XK"),
     ("XK", "XK"), ("Ivory Coast", "CI"), ("the Netherlands", "NL")],
)  # fmt: skip
def test_a_country_may_be_typed_by_name_or_code_in_any_case(editor, typed, saved):
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_add"),
        {"kind": "country", "name": "Estonia", "slug": "estonia", "country": typed},
    )
    assert response.status_code == 302, response.content[:3000]
    assert Actor.objects.get(slug="estonia").country == saved


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["Narnia", "E", "XX", "Estonia, Latvia"])
def test_a_country_that_names_nothing_gets_advice_not_a_constraint_name(editor, typed):
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_add"),
        {"kind": "country", "name": "Somewhere", "slug": "somewhere", "country": typed},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Give the country&#x27;s name or its two-letter code, like EE for") == 1
    assert "alpha-2" not in page  # one error, not the model's second one
    assert "Constraint" not in page
    assert not Actor.objects.filter(slug="somewhere").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "advice"),
    [
        ({"kind": "country", "name": "poland", "slug": "poland-2", "country": "PL"},
         "Poland is already the actor for PL"),
        ({"kind": "organization", "name": "nato", "slug": "nato-2"},
         "There is already an organisation named NATO"),
        ({"kind": "organization", "name": "NATO alliance", "slug": "nato"},
         "Another actor already has this address"),
    ],
    ids=["same-country", "same-name", "same-slug"],
)  # fmt: skip
def test_an_actor_added_twice_is_refused_naming_the_one_there(editor, fields, advice):
    f.CountryFactory(name="Poland", slug="poland", country="PL")
    f.ActorFactory(kind="organization", name="NATO", slug="nato")
    response = submit(logged_in(editor), reverse("admin:tracker_actor_add"), fields)
    assert response.status_code == 200
    assert advice in response.content.decode()
    assert Actor.objects.count() == 2


@pytest.mark.django_db
def test_editing_an_actor_twice_from_the_panel_keeps_counting_versions(editor):
    actor = f.CountryFactory(name="Estonia", slug="estonia")
    client = logged_in(editor)
    url = reverse("admin:tracker_actor_change", args=[actor.pk])
    assert submit(client, url, {"aliases": "Tallinn"}).status_code == 302
    assert submit(client, url, {"aliases": "Tallinn\nEesti"}).status_code == 302
    actor.refresh_from_db()
    assert actor.aliases == ["Tallinn", "Eesti"]
    assert actor.version == 3


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["published", "retracted"])
def test_coverage_behind_public_evidence_cannot_be_rewritten_from_the_panel(desk_user, status):
    position = f.PositionFactory(retracted=True) if status == "retracted" else f.PositionFactory()
    evidence = f.EvidenceFactory(position=position)
    item = evidence.item
    url = reverse("admin:tracker_coverageitem_change", args=[item.pk])
    page = logged_in(desk_user).get(url)
    assert "cited as evidence by a public position" in page.content.decode()
    response = submit(
        logged_in(desk_user),
        url,
        {"title": "Rewritten headline", "url": "https://elsewhere.example/"},
    )
    assert response.status_code in (200, 302)
    item.refresh_from_db()
    assert (item.title, item.url) == (evidence.item.title, evidence.item.url)


@pytest.mark.django_db
def test_coverage_behind_a_draft_alone_is_edited_and_keeps_its_line_breaks(desk_user):
    item = f.EvidenceFactory(position=f.PositionFactory(draft=True)).item
    item.content = "First paragraph.\nSecond paragraph."
    item.save()
    response = submit(
        logged_in(desk_user),
        reverse("admin:tracker_coverageitem_change", args=[item.pk]),
        # A browser sends a textarea's line breaks as CRLF.
        {"title": "A better headline", "content": "First paragraph.\r\nSecond paragraph."},
    )
    assert response.status_code == 302, response.content[:3000]
    item.refresh_from_db()
    assert (item.title, item.content) == (
        "A better headline",
        "First paragraph.\nSecond paragraph.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, saved",
    [
        ("lemonde.fr", "lemonde.fr"),
        ("https://www.lemonde.fr/international/", "lemonde.fr"),
        ("WWW.Example.ORG", "example.org"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("", ""),
    ],
)
def test_an_outlets_domain_is_kept_as_its_host_name_however_it_is_pasted(desk_user, typed, saved):
    response = submit(
        logged_in(desk_user),
        reverse("admin:tracker_outlet_add"),
        {"name": "Le Monde", "domain": typed},
    )
    assert response.status_code == 302, response.content[:3000]
    assert Outlet.objects.get(name="Le Monde").domain == saved


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, error",
    [
        ("not a domain!", "Give the outlet’s web domain, such as “ft.com”."),
        ("localhost", "Give the outlet’s web domain, such as “ft.com”."),
        ("FT.com", "Another outlet has this domain."),
    ],
)
def test_an_outlets_domain_that_is_not_one_or_is_taken_is_named_plainly(editor, typed, error):
    f.OutletFactory(name="Financial Times", domain="ft.com")
    response = submit(
        logged_in(editor), reverse("admin:tracker_outlet_add"), {"name": "FT", "domain": typed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page.replace("&#x27;", "’").replace("'", "’")
    assert "Constraint" not in page
    assert not Outlet.objects.filter(name="FT").exists()


@pytest.mark.django_db
def test_a_membership_of_itself_is_refused_in_one_plain_sentence(editor):
    nato = f.ActorFactory(kind="organization", name="NATO", slug="nato")
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_change", args=[nato.pk]),
        {"memberships-TOTAL_FORMS": "1", "memberships-0-organization": str(nato.pk)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("An actor cannot be a member of itself.") == 1
    assert "Constraint" not in page


MEMBERSHIP_TWICE = (
    "This membership is already recorded: the same organisation, post and start date."
)


@pytest.mark.django_db
def test_the_same_membership_twice_in_one_submission_is_refused_not_a_500(editor):
    nato = f.ActorFactory(kind="organization", name="NATO", slug="nato")
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    row = {"organization": str(nato.pk), "role": "", "start_date": "", "end_date": ""}
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_change", args=[estonia.pk]),
        {"memberships-TOTAL_FORMS": "2"}
        | {f"memberships-{n}-{name}": value for n in (0, 1) for name, value in row.items()},
    )
    assert response.status_code == 200
    assert MEMBERSHIP_TWICE in response.content.decode().replace("&#x27;", "’")
    assert not Membership.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("start_date", ["", "2004-03-29"])
def test_a_membership_already_stored_is_refused_when_added_again(editor, start_date):
    nato = f.ActorFactory(kind="organization", name="NATO", slug="nato")
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    Membership.objects.create(member=estonia, organization=nato, start_date=start_date or None)
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_membership_add"),
        {"member": str(estonia.pk), "organization": str(nato.pk), "start_date": start_date},
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "’")
    assert MEMBERSHIP_TWICE in page
    assert "Constraint" not in page
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_a_stored_undated_membership_is_refused_again_on_the_actors_page(editor):
    nato = f.ActorFactory(kind="organization", name="NATO", slug="nato")
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    Membership.objects.create(member=estonia, organization=nato)
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_change", args=[estonia.pk]),
        {"memberships-TOTAL_FORMS": "2", "memberships-1-organization": str(nato.pk)},
    )
    assert response.status_code == 200
    assert MEMBERSHIP_TWICE in response.content.decode().replace("&#x27;", "’")
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_following_without_an_address_leads_to_where_the_address_is_given(desk_user):
    debate = f.DebateFactory()
    desk_user.email = ""
    desk_user.save()
    client = logged_in(desk_user)
    address_page = reverse("admin:tracker_debate_digest_address")
    response = client.post(
        reverse("admin:tracker_debate_changelist"),
        {"action": "follow", "_selected_action": [debate.pk]},
        follow=True,
    )
    assert f'href="{address_page}"' in response.content.decode()

    refused = submit(client, address_page, {"email": "not an address"})
    assert refused.status_code == 200
    assert "Enter a valid email address." in refused.content.decode()
    too_long = submit(client, address_page, {"email": "a" * 300 + "@example.com"})
    assert too_long.status_code == 200  # the account's column holds 254 characters
    assert "at most 254 characters" in too_long.content.decode()
    desk_user.refresh_from_db()
    assert desk_user.email == ""

    saved = submit(client, address_page, {"email": " Desk@Example.org "})
    assert saved.status_code == 302
    desk_user.refresh_from_db()
    assert desk_user.email == "Desk@example.org"
    assert "Desk@example.org" in client.get(saved.url).content.decode()


@pytest.mark.django_db
def test_a_hand_added_article_dated_after_today_is_refused(editor):
    outlet = f.OutletFactory()
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_coverageitem_add"),
        {
            "canonical_url": "https://news.example/later",
            "url": "https://news.example/later",
            "title": "From the future",
            "outlet": str(outlet.pk),
            "published_at_0": "2030-01-01",
            "published_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "This is after today" in response.content.decode()


@pytest.mark.django_db
def test_a_name_typed_with_extra_spaces_is_kept_with_one_and_is_no_way_round_the_duplicate_check(
    editor,
):
    client = logged_in(editor)
    url = reverse("admin:tracker_actor_add")
    first = submit(client, url, {"kind": "official", "name": " Kaja  Kallas ", "slug": "kk"})
    assert first.status_code == 302, first.content[:3000]
    assert Actor.objects.get(slug="kk").name == "Kaja Kallas"
    again = submit(client, url, {"kind": "official", "name": "kaja\tkallas", "slug": "kk-2"})
    assert again.status_code == 200
    assert "There is already an official named Kaja Kallas" in again.content.decode()
    assert Actor.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, aliases, error",
    [
        ("financial times", "", "There is already an outlet named Financial Times."),
        ("Financial  Times", "", "There is already an outlet named Financial Times."),
        ("Le Monde", "FT", "“FT” already names Financial Times: a name or alias names one outlet."),
        ("ft", "", "“ft” already names Financial Times: a name or alias names one outlet."),
    ],
)
def test_an_outlet_name_or_alias_that_names_another_outlet_is_refused(editor, name, aliases, error):
    f.OutletFactory(name="Financial Times", domain="ft.com", aliases=["FT"])
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_outlet_add"),
        {"name": name, "aliases": aliases, "domain": ""},
    )
    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "’")
    assert Outlet.objects.count() == 1


@pytest.mark.django_db
def test_the_same_post_typed_another_way_is_the_same_membership(editor):
    nato = f.ActorFactory(kind="organization", name="NATO", slug="nato")
    kallas = f.ActorFactory(kind="official", name="Kaja Kallas", slug="kallas")
    client = logged_in(editor)
    url = reverse("admin:tracker_membership_add")
    row = {"member": str(kallas.pk), "organization": str(nato.pk), "start_date": "2024-12-01"}
    assert submit(client, url, row | {"role": " High  Representative "}).status_code == 302
    assert Membership.objects.get().role == "High Representative"
    again = submit(client, url, row | {"role": "high representative"})
    assert again.status_code == 200
    assert MEMBERSHIP_TWICE in again.content.decode().replace("&#x27;", "’")
    assert Membership.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address", ["http://10.0.0.1/x", "http://localhost/x", "http://192.168.1.20/x"]
)
def test_an_article_added_by_hand_must_be_one_readers_can_open(editor, address):
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_coverageitem_add"),
        {"url": address, "canonical_url": address, "title": "Drones over the border"},
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "’")
    assert "Give an address readers can open on the web, not a local or private one." in page
    assert not CoverageItem.objects.exists()


@pytest.mark.django_db
def test_a_feed_or_article_added_twice_is_named_in_plain_words(editor):
    feed = f.FeedFactory(url="https://news.example/feed.xml")
    item = f.CoverageItemFactory(
        title="Drones over the border", canonical_url="https://news.example/drones"
    )
    client = logged_in(editor)
    again = submit(client, reverse("admin:tracker_feed_add"), {"url": feed.url})
    assert again.status_code == 200
    assert "This feed is already watched." in again.content.decode()
    copy = submit(
        client,
        reverse("admin:tracker_coverageitem_add"),
        {"url": item.canonical_url, "canonical_url": item.canonical_url, "title": "Again"},
    )
    assert copy.status_code == 200
    assert "This article is stored already: “Drones over the border”." in copy.content.decode()
    assert "already exists" not in again.content.decode() + copy.content.decode()


@pytest.mark.django_db
def test_a_warning_about_a_feeds_host_keeps_the_host_as_typed(editor):
    client = logged_in(editor)
    response = submit(
        client, reverse("admin:tracker_feed_add"), {"url": "https://feeds.example.invalid/rss"}
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert (
        "feeds.example.invalid does not resolve now; it will be tried when the feed is polled."
        in page
    )
    assert "Feeds.example.invalid" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", ["flag", "position", "debate", "actor", "feed", "membership", "outlet", "evidence"]
)
@pytest.mark.parametrize("key", ["²", "x", "1.5"])
def test_a_list_action_on_keys_that_are_no_number_selects_nothing(admin_client, model, key):
    url = reverse(f"admin:tracker_{model}_changelist")
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [key], "index": 0}, follow=True
    )
    assert response.status_code == 200
    assert "Items must be selected in order to perform actions on them" in (
        response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["²", "x"])
def test_a_membership_row_naming_no_record_is_refused_not_a_500(editor, key):
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_change", args=[estonia.pk]),
        {"memberships-TOTAL_FORMS": "1", "memberships-0-organization": key},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2025-10-01", "2025-10-01 12:30", "garbage", "²"])
def test_an_add_link_with_a_date_opens_the_form(editor, value):
    page = logged_in(editor).get(reverse("admin:tracker_coverageitem_add"), {"published_at": value})
    assert page.status_code == 200
    assert 'name="published_at_0"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "count, error",
    [
        ("0", "Count the sources from 1"),
        ("99999", "at most 999"),
    ],
)
def test_a_source_count_out_of_reason_is_refused_in_words(editor, count, error):
    position = f.PositionFactory(draft=True)
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_evidence_add"),
        {
            "position": str(position.pk), "url": "https://example.org/story",
            "attribution": "anonymous_officials", "source_count": count,
            "source_affiliation": "NATO officials",
        },
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page and "Constraint" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("high", ["Permissive", "permissive ", "PERMISSIVE"])
def test_poles_the_same_but_for_case_or_spacing_are_refused_in_words(editor, high):
    debate = f.DebateFactory(low_label="permissive", high_label="restrictive")
    response = submit(
        logged_in(editor), reverse("admin:tracker_debate_change", args=[debate.pk]),
        {"high_label": high},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "The two poles need different labels." in page and "Constraint" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["NATO\u200b", "\ufeffNATO", "\uff2e\uff21\uff34\uff2f", "NA\x07TO", "\u202eNATO"]
)
def test_invisible_or_full_width_characters_are_no_way_round_the_duplicate_check(editor, typed):
    f.ActorFactory(kind="organization", name="NATO", slug="nato")
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_actor_add"),
        {"kind": "organization", "name": typed, "slug": "nato-2"},
    )
    assert response.status_code == 200
    assert "There is already an organisation named NATO" in response.content.decode()
    assert Actor.objects.count() == 1


def test_a_persian_name_keeps_its_zero_width_non_joiner():
    from tracker.models.common import one_line

    assert one_line("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    )


@pytest.mark.django_db
def test_an_article_published_before_1900_is_refused_as_a_typing_slip(editor):
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_coverageitem_add"),
        {
            "title": "Story", "url": "https://example.org/story",
            "published_at_0": "0001-01-01", "published_at_1": "00:00",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "before 1900: check the year" in response.content.decode()
    assert not CoverageItem.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["start_date", "end_date"])
def test_a_membership_dated_before_1900_is_refused_as_a_typing_slip(editor, side):
    nato = f.ActorFactory(kind="organization", name="NATO", slug="nato")
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_membership_add"),
        {"member": str(estonia.pk), "organization": str(nato.pk), side: "0001-01-01"},
    )
    assert response.status_code == 200
    assert "before 1900: check the year" in response.content.decode()
    assert not Membership.objects.exists()
