import json
import stat
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from tracker import desk
from tracker.desk import Draft, accept_flag
from tracker.models import (
    Actor,
    CoverageItem,
    DataRelease,
    Debate,
    Evidence,
    Flag,
    Membership,
    Outlet,
    Position,
    Proposal,
)

# Published positions in fixtures/demo/nato-airspace.json, counted by hand: 15 in the airspace
# debate and 6 in the rules-of-engagement debate.
DEMO_PUBLISHED_POSITIONS = 21
MODELS = [Actor, CoverageItem, Debate, Evidence, Membership, Outlet, Position, Proposal]
NATO_DEBATE = "nato-response-to-russian-airspace-violations"


@pytest.fixture
def logins_file(settings, tmp_path):
    settings.DEMO_LOGINS_FILE = tmp_path / "demo-logins.json"
    settings.DEBUG = True
    return settings.DEMO_LOGINS_FILE


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_loading_the_demo_twice_creates_no_duplicates(logins_file, capsys):
    call_command("seed_demo")
    first = counts()
    first_logins = json.loads(logins_file.read_text())
    call_command("seed_demo")
    assert counts() == first
    assert json.loads(logins_file.read_text()) == first_logins
    assert "0 records created" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_models_the_seed_article(logins_file):
    call_command("seed_demo")
    debate = Debate.objects.get(slug=NATO_DEBATE)
    assert (debate.low_label, debate.high_label) == ("conservative", "more aggressive")
    assert list(debate.proposals.values_list("rung", flat=True)) == [1, 2, 3, 4, 5]
    assert Debate.objects.count() >= 2

    article = CoverageItem.objects.get(title__startswith="FT: NATO Countries Discuss")
    assert "citing four NATO officials" in article.content

    kinds = set(Actor.objects.values_list("kind", flat=True))
    assert kinds == {"country", "official", "organization", "bloc", "unnamed_group"}
    whitaker = Membership.objects.get(member__slug="matthew-whitaker")
    assert whitaker.role == "U.S. Ambassador to NATO"
    assert "Kremlin" in Actor.objects.get(slug="russia").aliases

    bloc = Position.objects.get(actor__slug="allies-bordering-russia", debate=debate, proposal=None)
    chain = bloc.evidence.get().attribution_chain
    assert chain == "Example Newswire, citing Financial Times, citing four NATO officials"

    trump = Position.objects.get(actor__slug="donald-trump", debate=debate, proposal=None)
    assert trump.evidence.get().attribution == Evidence.Attribution.ON_RECORD
    assert trump.stance == 2
    restraint = Position.objects.get(actor__slug="allies-advising-restraint")
    assert restraint.stance < 0


@pytest.mark.django_db
def test_the_demo_opens_on_a_populated_review_queue(logins_file):
    call_command("seed_demo")
    flags = Flag.objects.filter(debate__slug=NATO_DEBATE)
    assert flags.count() >= 2
    # The wire story and its syndicated copy are one flag, not two.
    wire = CoverageItem.objects.filter(title__startswith="NATO allies weigh armed drones")
    assert wire.count() == 2
    assert flags.filter(item__in=wire).count() == 1
    assert wire.filter(duplicate_of__isnull=False).count() == 1
    assert all(item.cited_outlet.name == "Financial Times" for item in wire)
    caution = flags.get(item__title__startswith="Allies urge caution")
    assert caution.suggested_stance < 0
    assert {reason["cue"] for reason in caution.stance_reasons} >= {"caution*", "restraint"}
    olympics = CoverageItem.objects.filter(title__icontains="olympics")
    assert not olympics.filter(flags__debate__slug=NATO_DEBATE)  # its query says NOT olympic*


@pytest.mark.django_db
def test_demo_users_get_generated_passwords_that_work(logins_file, client):
    call_command("seed_demo")
    logins = json.loads(logins_file.read_text())
    assert set(logins) == {"editor", "publisher"}
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    for username, login in logins.items():
        assert len(login["password"]) >= 12
        assert client.login(request=HttpRequest(), username=username, password=login["password"])
    assert logins["editor"]["password"] != logins["publisher"]["password"]
    publisher = get_user_model().objects.get(username="publisher")
    assert publisher.has_perm("tracker.publish_position")
    assert not get_user_model().objects.get(username="editor").has_perm("tracker.publish_position")


@pytest.mark.django_db
def test_a_fresh_data_directory_gets_fresh_passwords(settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_LOGINS_FILE = tmp_path / "a.json"
    call_command("seed_demo")
    settings.DEMO_LOGINS_FILE = tmp_path / "b.json"
    call_command("seed_demo")
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert a["editor"]["password"] != b["editor"]["password"]


@pytest.mark.django_db
def test_it_refuses_to_seed_with_debug_off(settings, logins_file):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert Debate.objects.count() == 0
    assert not logins_file.exists()


@pytest.mark.django_db
def test_force_seeds_with_debug_off(settings, logins_file):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert Debate.objects.filter(slug=NATO_DEBATE).exists()


# The demo file holds 2 debates with 21 positions backed by 22 pieces of evidence.
DEMO_POSITIONS = 21
DEMO_EVIDENCE = 22


@pytest.mark.django_db
def test_seeding_again_after_a_same_day_position_is_published_changes_nothing(
    logins_file, editor, publisher
):
    call_command("seed_demo")
    debate = Debate.objects.get(slug=NATO_DEBATE)
    flag = Flag.objects.filter(debate=debate).first()
    (france_again,) = accept_flag(
        editor,
        flag,
        [
            Draft(
                actor=Actor.objects.get(slug="france"),
                stance=2,
                stated_on=date(2025, 10, 9),  # the demo's own date for France's position
                summary="Called for shooting down drones over allied territory.",
                evidence={"attribution": Evidence.Attribution.OUTLET_REPORT},
            )
        ],
    )
    france_again.refresh_from_db()
    desk.publish(france_again, publisher)
    before = counts()
    assert (before["Position"], before["Evidence"]) == (DEMO_POSITIONS + 1, DEMO_EVIDENCE + 1)

    call_command("seed_demo")

    assert counts() == before
    same_day = Position.objects.filter(actor__slug="france", debate=debate, proposal=None)
    assert sorted(same_day.values_list("stance", "status")) == [(1, "published"), (2, "published")]


@pytest.mark.django_db
def test_seeding_again_keeps_a_retracted_demo_position_retracted(logins_file, publisher):
    call_command("seed_demo")
    trump = Position.objects.get(
        actor__slug="donald-trump", debate__slug=NATO_DEBATE, proposal=None
    )
    desk.retract(trump, publisher, "Misattributed: the remark was about another incident.")
    before = counts()

    call_command("seed_demo")

    assert counts() == before
    trump = Position.objects.get(pk=trump.pk)
    assert trump.status == Position.Status.RETRACTED
    assert trump.retraction_reason == "Misattributed: the remark was about another incident."
    assert Position.objects.filter(actor__slug="donald-trump", proposal=None).count() == 2


@pytest.mark.django_db
def test_seeding_again_keeps_what_editors_edited(logins_file):
    call_command("seed_demo")
    france = Position.objects.get(actor__slug="france", debate__slug=NATO_DEBATE, proposal=None)
    france.summary = "Backed the border states, with conditions on drone use."
    france.save()
    actor = Actor.objects.get(slug="russia")
    actor.aliases = ["Moscow"]
    actor.save()
    debate = Debate.objects.get(slug=NATO_DEBATE)
    debate.question = "How far should NATO go against airspace violations?"
    debate.save()
    membership = Membership.objects.get(member__slug="matthew-whitaker")
    membership.role = "Ambassador"
    membership.save()
    before = counts()

    call_command("seed_demo")

    assert counts() == before
    assert Position.objects.get(pk=france.pk).summary == (
        "Backed the border states, with conditions on drone use."
    )
    assert Actor.objects.get(slug="russia").aliases == ["Moscow"]
    assert Debate.objects.get(slug=NATO_DEBATE).question == (
        "How far should NATO go against airspace violations?"
    )
    assert Membership.objects.get(member__slug="matthew-whitaker").role == "Ambassador"


@pytest.mark.django_db
def test_seeding_adds_a_demo_actor_an_editor_deleted_but_not_a_deleted_position(logins_file):
    call_command("seed_demo")
    Evidence.objects.filter(position__actor__slug="estonia").delete()
    Position.objects.filter(actor__slug="estonia").delete()
    Membership.objects.filter(member__slug="estonia").delete()
    Actor.objects.get(slug="estonia").delete()

    call_command("seed_demo")

    estonia = Actor.objects.get(slug="estonia")
    assert set(estonia.memberships.values_list("organization__slug", flat=True)) == {
        "nato",
        "allies-bordering-russia",
    }
    # The debate was loaded before: its positions are the editors' to keep or remove.
    assert not Position.objects.filter(actor=estonia).exists()
    assert Position.objects.count() == DEMO_POSITIONS - 1


@pytest.mark.django_db
def test_the_demo_cuts_one_release_and_keeps_it(logins_file, client, capsys):
    call_command("seed_demo")
    release = DataRelease.objects.get()
    assert (release.number, release.cut_by.username) == (1, "publisher")
    assert release.note == "The demo data as loaded."
    # The demo's published positions, counted by hand from fixtures/demo/.
    assert release.position_count == DEMO_PUBLISHED_POSITIONS
    assert "Data release 1:" in capsys.readouterr().out
    assert client.get("/data/releases/1/").status_code == 200

    call_command("seed_demo")
    assert DataRelease.objects.count() == 1
    assert "Data release" not in capsys.readouterr().out
