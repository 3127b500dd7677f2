"""The daily digest of new flags for editors who follow debates."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tracker.digest import send_digests
from tracker.models import DebateFollow

from . import factories as f


@pytest.fixture
def editor_with_email(editor):
    editor.email = "editor@desk.example"
    editor.save()
    return editor


@pytest.mark.django_db
def test_an_editor_follows_and_unfollows_debates_from_the_admin(editor_with_email, client):
    debate = f.DebateFactory(title="Airspace")
    client.force_login(editor_with_email)
    url = reverse("admin:tracker_debate_changelist")
    client.post(url, {"action": "follow", "_selected_action": [debate.pk]})
    assert DebateFollow.objects.filter(user=editor_with_email, debate=debate).exists()
    assert 'alt="True"' in client.get(url).content.decode()
    client.post(url, {"action": "unfollow", "_selected_action": [debate.pk]})
    assert not DebateFollow.objects.exists()


@pytest.mark.django_db
def test_the_digest_lists_new_flags_of_followed_debates_once(editor_with_email, settings):
    settings.TRACKER_SITE_URL = "https://desk.example"
    followed, other = f.DebateFactory(title="Airspace"), f.DebateFactory(title="Tariffs")
    DebateFollow.objects.create(user=editor_with_email, debate=followed)
    f.FlagFactory(debate=followed, item=f.CoverageItemFactory(title="Drones over Estonia"), score=5)
    f.FlagFactory(debate=followed, item=f.CoverageItemFactory(title="Old and dismissed"),
                  status="dismissed", decided_at=timezone.now())  # fmt: skip
    f.FlagFactory(debate=other, item=f.CoverageItemFactory(title="Steel tariffs"))
    assert send_digests() == 1
    [message] = mail.outbox
    assert message.to == ["editor@desk.example"]
    assert message.subject == "[Policy Debate Tracker] 1 new flag to review"
    assert "Drones over Estonia" in message.body
    assert "Old and dismissed" not in message.body and "Steel tariffs" not in message.body
    assert (
        f"https://desk.example/admin/tracker/flag/?debate__id__exact={followed.id}" in message.body
    )
    # The next run has nothing new to say, and two schedulers never send twice.
    assert send_digests() == 0
    f.FlagFactory(debate=followed, item=f.CoverageItemFactory(title="Later story"))
    assert send_digests(now=timezone.now() + datetime.timedelta(seconds=1)) == 1
    assert (
        "Later story" in mail.outbox[-1].body and "Drones over Estonia" not in mail.outbox[-1].body
    )


@pytest.mark.django_db
def test_the_digest_reads_as_a_plain_text_list_per_debate(editor_with_email, settings):
    settings.TRACKER_SITE_URL = "https://desk.example/"
    airspace, tariffs = f.DebateFactory(title="Airspace"), f.DebateFactory(title="Tariffs & steel")
    for debate in (airspace, tariffs):
        DebateFollow.objects.create(user=editor_with_email, debate=debate)
    wire = f.OutletFactory(name="Example Wire")

    def flag(debate, title, outlet, score):
        f.FlagFactory(
            debate=debate, item=f.CoverageItemFactory(title=title, outlet=outlet), score=score
        )

    flag(airspace, "Drones <over> Estonia", wire, 5)
    flag(airspace, "Jets scrambled", None, 2.5)
    for n in range(22):
        flag(tariffs, f"Story {n:02}", wire, 100 - n)
    today = timezone.localdate()

    assert send_digests() == 1

    [message] = mail.outbox
    assert message.subject == "[Policy Debate Tracker] 24 new flags to review"
    queue = "https://desk.example/admin/tracker/flag/?debate__id__exact={}&status__exact=new"
    stories = [f"  • Story {n:02} (Example Wire) — score {100 - n}" for n in range(20)]
    assert message.body.split("\n") == [
        f"New coverage flagged for review, {today.day} {today:%B %Y}:",
        "",
        "Airspace — 2 new",
        "  • Drones <over> Estonia (Example Wire) — score 5",
        "  • Jets scrambled — score 2.5",
        f"  Review: {queue.format(airspace.id)}",
        "",
        "Tariffs & steel — 22 new",
        *stories,
        "  … and 2 more",
        f"  Review: {queue.format(tariffs.id)}",
        "",
        "You follow these debates in the editorial panel; unfollow them there.",
    ]


@pytest.mark.django_db
def test_no_email_without_an_address_or_without_news(editor):
    debate = f.DebateFactory()
    DebateFollow.objects.create(user=editor, debate=debate)
    f.FlagFactory(debate=debate)
    assert send_digests() == 0
    assert mail.outbox == []


def test_beat_sends_the_digest_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    assert entry["task"] == "tracker.tasks.send_digests"
    assert entry["schedule"].hour == {settings.TRACKER_DIGEST_HOUR}
