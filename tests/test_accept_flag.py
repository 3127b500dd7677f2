"""Accepting a flag: one row per matched actor, each with its own stance, quote
and attribution, logged as draft positions — submitted as a browser does."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tracker import desk
from tracker.models import Debate, Evidence, Flag, Position

from . import factories as f
from .factories import UserFactory
from .forms import read_form, submit
from .pages import parse, text

ARTICLE = (
    "<p>BRUSSELS, Oct 9 (Example Wire) — Poland is pushing for a more aggressive posture after "
    "Russian drones crossed its airspace, the Financial Times reported, citing four NATO "
    "officials.</p>"
    "<p>France urged restraint and a measured response. “We will not be drawn into a war "
    "by provocations,” said France's foreign minister.</p>"
    "<p>The Kremlin denied any incursion.</p>"
)
SEED_SENTENCE = (
    "NATO allies are discussing a stronger response to Russian dictator Vladimir Putin's "
    "provocations, namely deploying armed drones along the Russian border and loosening "
    "restrictions on pilots to allow them to fire on Russian planes, the Financial Times "
    "reported, citing four NATO officials."
)
# Rows come matched actors first by name, the debate's subjects last, then two empty rows.
FRANCE, POLAND, RUSSIA, EMPTY = 0, 1, 2, 3
# The editor ticks the rows to log; none is ticked when the screen opens.
TICK_FRANCE_AND_POLAND = {f"actors-{FRANCE}-take": "on", f"actors-{POLAND}-take": "on"}


@pytest.fixture
def world(db):
    flag = f.airspace_flag(ARTICLE)
    f.ActorFactory(slug="nato", name="NATO")
    return flag


def url(flag):
    return reverse("admin:tracker_flag_accept", args=[flag.pk])


def rows(response):
    return [form.initial for form in response.context["formset"].forms]


def test_each_actor_gets_its_own_stance_quote_and_attribution(editor, client, world):
    client.force_login(editor)
    page = client.get(url(world))
    initial = rows(page)
    assert [row.get("actor").name if row.get("actor") else None for row in initial] == [
        "France", "Poland", "Russia", None, None,
    ]  # fmt: skip
    france, poland = initial[FRANCE], initial[POLAND]
    assert france["stance"] == -2 and poland["stance"] == 2
    assert france["quote"] == (
        "France urged restraint and a measured response. “We will not be drawn into a war by "
        "provocations,” said France's foreign minister."
    )
    assert poland["quote"] == (
        "Poland is pushing for a more aggressive posture after Russian drones crossed its "
        "airspace, the Financial Times reported, citing four NATO officials."
    )
    assert (france["attribution"], france["source_count"]) == ("on_record", None)
    assert (poland["attribution"], poland["source_count"], poland["source_affiliation"]) == (
        "anonymous_officials", 4, "NATO officials",
    )  # fmt: skip
    assert poland["cited_outlet"].name == "Financial Times"


def test_stances_read_in_the_debates_words_with_each_cue_and_its_direction(editor, client, world):
    client.force_login(editor)
    html = client.get(url(world)).content.decode()
    assert "+2 · strongly more aggressive" in html
    assert "−1 · leaning conservative" in html
    assert "0 · between conservative and more aggressive" in html
    assert "pole" not in html
    assert '<span class="cue-down">−</span> restraint' in html
    assert '<span class="cue-up">+</span> pushing for' in html


def test_the_quote_never_starts_with_the_dateline(editor, client, world):
    client.force_login(editor)
    quotes = [row.get("quote", "") for row in rows(client.get(url(world)))]
    assert not any(q.startswith(("BRUSSELS", "(Example Wire)")) for q in quotes)
    assert quotes[POLAND].startswith("Poland is pushing")


def test_every_row_is_prefilled_but_none_is_ticked(editor, client, world):
    client.force_login(editor)
    page = client.get(url(world))
    html = page.content.decode()
    assert "subject of the debate" in html
    _, fields = read_form(html, "accept-form")
    ticked = {name for name, _ in fields if name.endswith("-take")}
    assert ticked == set()  # an article's bystanders must not become drafts by default
    assert rows(page)[RUSSIA]["quote"] == "The Kremlin denied any incursion."


def test_a_date_after_today_logs_nothing_and_says_why(editor, client, world):
    client.force_login(editor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = submit(
        client,
        url(world),
        {
            **TICK_FRANCE_AND_POLAND,
            "stated_on": tomorrow.isoformat(),
            f"actors-{FRANCE}-summary": "France urges restraint.",
            f"actors-{POLAND}-summary": "Poland wants armed drones.",
        },
        form_id="accept-form",
    )
    assert response.status_code == 200
    assert "is after today" in response.content.decode()
    assert not Position.objects.exists()


def test_a_row_in_error_is_named_at_the_top_with_a_link_to_it(editor, client, world):
    client.force_login(editor)
    response = submit(
        client,
        url(world),
        {**TICK_FRANCE_AND_POLAND, f"actors-{POLAND}-summary": ""},
        form_id="accept-form",
    )
    assert response.status_code == 200
    page = response.content.decode()
    top = page[: page.index('class="accept-rows"')]
    assert "Nothing was logged: correct the row of" in top
    assert f'<a href="#row-{POLAND}">Poland</a>' in top
    assert "France" not in top[top.index("Nothing was logged") :]
    assert not Position.objects.exists()


def test_two_actors_become_two_drafts_with_their_own_values(editor, client, world):
    client.force_login(editor)
    response = submit(
        client,
        url(world),
        {
            **TICK_FRANCE_AND_POLAND,
            f"actors-{FRANCE}-stance": "-1",
            f"actors-{FRANCE}-summary": "France urges restraint.",
            f"actors-{POLAND}-summary": "Poland wants armed drones.",
            f"actors-{POLAND}-quote": "Poland is pushing for a more aggressive posture.",
        },
        form_id="accept-form",
    )
    assert response.status_code == 302
    france = Position.objects.get(actor__slug="france")
    poland = Position.objects.get(actor__slug="poland")
    assert not Position.objects.filter(actor__slug="russia").exists()
    assert (france.stance, france.summary, france.status) == (
        -1,
        "France urges restraint.",
        "draft",
    )
    assert (poland.stance, poland.summary, poland.status) == (
        2,
        "Poland wants armed drones.",
        "draft",
    )
    assert str(france.stated_on) == str(world.item.published_at.date())
    france_evidence, poland_evidence = france.evidence.get(), poland.evidence.get()
    assert france_evidence.item == poland_evidence.item == world.item
    assert france_evidence.quote.startswith("France urged restraint and a measured response.")
    assert france_evidence.attribution == Evidence.Attribution.ON_RECORD
    assert poland_evidence.quote == "Poland is pushing for a more aggressive posture."
    assert (
        poland_evidence.attribution_chain
        == "Example Wire, citing Financial Times, citing four NATO officials"
    )
    world.refresh_from_db()
    assert (world.status, world.decided_by) == ("accepted", editor)
    assert set(world.positions.all()) == {france, poland}
    for position in (france, poland):
        created = position.history.get(history_type="+")
        assert created.history_user == editor and position.created_by == editor
        assert position.evidence.get().history.get(history_type="+").history_user == editor


def test_the_seed_sentence_prefills_four_nato_officials_citing_the_ft(editor, client, world):
    nato = f.ActorFactory(slug="nato-alliance", name="NATO")
    item = f.CoverageItemFactory(
        title="FT: NATO countries discuss an armed response",
        outlet=f.OutletFactory(name="Example Newswire"),
        content=f"<p>WASHINGTON (Reuters) - {SEED_SENTENCE}</p>",
    )
    flag = f.FlagFactory(item=item, debate=world.debate)
    flag.matched_actors.set([nato])
    client.force_login(editor)
    row = rows(client.get(url(flag)))[0]
    assert row["quote"] == SEED_SENTENCE
    assert (row["attribution"], row["source_count"], row["source_affiliation"]) == (
        "anonymous_officials", 4, "NATO officials",
    )  # fmt: skip
    assert row["cited_outlet"].name == "Financial Times"
    # "a stronger response", "fire on", "loosening restrictions": each one way up.
    assert row["stance"] == 2


def test_a_validation_error_keeps_everything_typed(editor, client, world):
    client.force_login(editor)
    typed = {
        **TICK_FRANCE_AND_POLAND,
        f"actors-{FRANCE}-stance": "",  # a position on the whole debate needs one
        f"actors-{FRANCE}-quote": "TYPED FRANCE QUOTE",
        f"actors-{POLAND}-summary": "TYPED POLAND SUMMARY",
        f"actors-{POLAND}-source_affiliation": "TYPED senior diplomats",
        f"actors-{POLAND}-source_count": "7",
        f"actors-{RUSSIA}-take": "on",
        f"actors-{RUSSIA}-stance": "-2",
        f"actors-{RUSSIA}-summary": "TYPED RUSSIA SUMMARY",
    }
    response = submit(client, url(world), typed, form_id="accept-form")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A position on the debate as a whole needs a stance." in html
    assert not Position.objects.exists()
    assert Flag.objects.get(pk=world.pk).status == "new"
    _, fields = read_form(html, "accept-form")
    again = dict(fields)
    for name, value in typed.items():
        assert again.get(name, "") == value, name
    assert again[f"actors-{POLAND}-stance"] == "2"  # untouched prefills stay too
    assert again[f"actors-{POLAND}-quote"].startswith("Poland is pushing")
    # Fixing the one field is enough.
    fixed = client.post(url(world), {**again, f"actors-{FRANCE}-stance": "-1"})
    assert fixed.status_code == 302
    assert set(Position.objects.values_list("actor__slug", "stance")) == {
        ("france", -1), ("poland", 2), ("russia", -2),
    }  # fmt: skip


def test_at_least_one_row_must_be_ticked(editor, client, world):
    client.force_login(editor)
    untick = {f"actors-{FRANCE}-take": None, f"actors-{POLAND}-take": None}
    response = submit(client, url(world), untick, form_id="accept-form")
    assert response.status_code == 200
    assert "Tick at least one actor to log a position for." in response.content.decode()
    assert Flag.objects.get(pk=world.pk).status == "new"


def test_an_empty_row_adds_an_actor_the_matcher_missed(editor, client, world):
    nato = f.ActorFactory(slug="nato-bloc", name="NATO bloc")
    client.force_login(editor)
    html = client.get(url(world)).content.decode()
    assert f'id="add_id_actors-{EMPTY}-actor"' in html  # the "+" that opens the add popup
    response = submit(
        client,
        url(world),
        {
            f"actors-{FRANCE}-take": None,
            f"actors-{POLAND}-take": None,
            f"actors-{EMPTY}-take": "on",
            f"actors-{EMPTY}-actor": str(nato.pk),
            f"actors-{EMPTY}-stance": "1",
            f"actors-{EMPTY}-quote": "Allies are weighing armed drones.",
        },
        form_id="accept-form",
    )
    assert response.status_code == 302
    position = Position.objects.get()
    assert (position.actor, position.stance) == (nato, 1)
    assert position.summary == world.item.title
    assert position.evidence.get().quote == "Allies are weighing armed drones."


def test_a_ticked_empty_row_needs_an_actor(editor, client, world):
    client.force_login(editor)
    response = submit(client, url(world), {f"actors-{EMPTY}-take": "on"}, form_id="accept-form")
    assert response.status_code == 200
    assert "Choose the actor, or untick this row." in response.content.decode()
    assert not Position.objects.exists()


def test_a_flag_someone_else_claimed_is_refused(editor, client, world):
    desk.claim_flags(f.second_editor(), [world.pk])
    client.force_login(editor)
    response = submit(client, url(world), TICK_FRANCE_AND_POLAND, form_id="accept-form")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Not accepted: claimed by second-editor." in page
    assert not Position.objects.exists()
    world.refresh_from_db()
    assert (world.status, world.assignee.username) == ("claimed", "second-editor")


def test_the_accept_screen_of_a_flag_someone_else_holds_says_so_before_anything_is_typed(
    editor, publisher, client, world
):
    desk.claim_flags(f.second_editor(), [world.pk])
    client.force_login(publisher)
    page = parse(client.get(url(world)))
    notes = [text(note) for note in page.xpath("//*[contains(@class, 'errornote')]")]
    assert notes == [
        "You cannot accept this flag: claimed by second-editor. Anything typed here would be "
        "refused; ask them to give it back first."
    ]
    assert page.xpath("//input[@type='submit']") == []

    desk.unassign_flags(f.second_editor(), [world.pk])  # given back: open to anyone again
    page = parse(client.get(url(world)))
    assert page.xpath("//*[contains(@class, 'errornote')]") == []
    assert len(page.xpath("//input[@type='submit']")) == 1


def test_a_flag_already_accepted_is_not_accepted_twice(editor, publisher, client, world):
    client.force_login(publisher)
    assert (
        submit(client, url(world), TICK_FRANCE_AND_POLAND, form_id="accept-form").status_code == 302
    )
    client.force_login(editor)
    response = submit(client, url(world), TICK_FRANCE_AND_POLAND, form_id="accept-form")
    assert (
        "Not accepted: already accepted by publisher-user."
        in client.get(response.url).content.decode()
    )
    assert Position.objects.count() == 2


def test_editors_and_publishers_may_accept_and_others_get_403(
    editor, publisher, superuser, client, world
):
    staff_without_role = UserFactory(username="staff-only")
    expected = {editor: 200, publisher: 200, superuser: 200, staff_without_role: 403}
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url(world)).status_code == status, user.username
    client.force_login(staff_without_role)
    assert client.post(url(world), {}).status_code == 403
    assert not Position.objects.exists()


def test_the_debate_admin_names_its_subjects_with_an_autocomplete(editor, client, world):
    client.force_login(editor)
    html = client.get(
        reverse("admin:tracker_debate_change", args=[world.debate.pk])
    ).content.decode()
    assert 'name="subjects"' in html and "admin-autocomplete" in html


@pytest.mark.django_db
def test_the_demo_debate_is_about_russia():
    from tracker.demo import load_demo

    load_demo()
    debate = Debate.objects.get(slug="nato-response-to-russian-airspace-violations")
    assert list(debate.subjects.values_list("slug", flat=True)) == ["russia"]


def test_accepting_is_all_or_nothing(editor, world):
    france, poland = (
        world.matched_actors.get(slug="france"),
        world.matched_actors.get(slug="poland"),
    )
    drafts = [
        desk.Draft(actor=france, stance=-1, summary="Restraint.", stated_on=date(2025, 10, 9),
                   evidence={"attribution": "on_record", "quote": "France urged restraint."}),
        desk.Draft(actor=poland, stance=None, summary="No stance.", stated_on=date(2025, 10, 9),
                   evidence={"attribution": "outlet_report"}),
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        desk.accept_flag(editor, world, drafts)
    assert not Position.objects.exists() and not Evidence.objects.exists()
    world.refresh_from_db()
    assert (world.status, world.decided_by) == ("new", None)


@pytest.mark.parametrize("key", ["²", "x"])
def test_another_actor_naming_no_record_is_refused_not_a_500(editor, client, world, key):
    client.force_login(editor)
    _, fields = read_form(client.get(url(world)).content.decode(), "accept-form")
    blank = next(name for name, value in fields if name.endswith("-actor") and value == "")
    row = blank.removesuffix("-actor")
    response = submit(client, url(world), {f"{row}-take": "on", blank: key}, form_id="accept-form")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Position.objects.exists()
