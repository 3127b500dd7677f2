"""Reader alerts in one process: following by email, double opt-in, at most
one message a day, one-click unsubscribe, and addresses never shown."""

import datetime
import re

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tracker import alerts, desk
from tracker.models import Reader, Subscription

from . import factories as f
from .faults import free_port

FOLLOW = "/alerts/follow/"
ADDRESS = "reader@example.org"


@pytest.fixture
def airspace(debate, settings):
    settings.TRACKER_SITE_URL = "https://tracker.example"
    return debate


def follow(client, data, answer=False, address="203.0.113.7"):
    """The form posted; with `answer`, the page the browser is sent on to."""
    return client.post(FOLLOW, data, REMOTE_ADDR=address, follow=answer)


def link(text, kind):
    [found] = re.findall(rf"https://tracker\.example/alerts/{kind}/[\w-]+/", text)
    return found.removeprefix("https://tracker.example")


def confirmed(client, airspace):
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    alerts.send_confirmation(Subscription.objects.get().id)
    client.post(link(mail.outbox[-1].body, "confirm"))
    mail.outbox.clear()
    return Subscription.objects.get()


def publish_draft(actor, debate, stance, when):
    position = f.ready_draft(actor=actor, debate=debate, stance=stance)
    return desk.publish(position, None, now=when)


@pytest.mark.django_db
def test_following_asks_the_address_to_confirm_and_sends_nothing_else(client, airspace):
    response = follow(client, {"email": " Reader@Example.org ", "debate": "airspace"}, True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check your inbox" in page and "Airspace" in page
    assert "reader@example.org" not in page.lower()
    subscription = Subscription.objects.get()
    assert subscription.reader.email == ADDRESS and subscription.confirmed_at is None

    assert alerts.send_confirmation(subscription.id) is True
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert message.subject == "[Policy Debate Tracker] Confirm your alerts for Airspace"
    unsubscribe = f"https://tracker.example/alerts/unsubscribe/{subscription.token}/"
    assert message.extra_headers == {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert f"https://tracker.example/alerts/confirm/{subscription.token}/" in message.body

    # Unconfirmed: a published position mails nobody.
    publish_draft(f.CountryFactory(name="Estonia"), airspace, 2, timezone.now())
    assert alerts.send_alert(subscription.reader_id, now=timezone.now()) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_following_again_says_the_same_and_asks_at_most_once_a_day(client, airspace):
    first = follow(client, {"email": ADDRESS, "debate": "airspace"}).content
    alerts.send_confirmation(Subscription.objects.get().id)
    again = follow(client, {"email": "READER@example.org", "debate": "airspace"}).content
    assert again == first
    assert Subscription.objects.count() == 1 and Reader.objects.count() == 1
    assert alerts.send_confirmation(Subscription.objects.get().id) is False
    assert len(mail.outbox) == 1
    # Once confirmed, following again still says the same and sends nothing.
    client.post(link(mail.outbox[0].body, "confirm"))
    assert follow(client, {"email": ADDRESS, "debate": "airspace"}).content == first
    tomorrow = timezone.now() + datetime.timedelta(days=2)
    assert alerts.send_confirmation(Subscription.objects.get().id, now=tomorrow) is False


@pytest.mark.django_db
def test_opening_the_confirmation_link_changes_nothing_until_the_button(client, airspace):
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    subscription = Subscription.objects.get()
    address = f"/alerts/confirm/{subscription.token}/"
    page = client.get(address)
    assert page.status_code == 200 and "Start the alerts" in page.content.decode()
    assert Subscription.objects.get().confirmed_at is None
    assert "Your alerts are on" in client.post(address).content.decode()
    assert Subscription.objects.get().confirmed_at is not None
    assert client.get("/alerts/confirm/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_one_message_a_day_with_what_was_published_since_the_last(client, airspace):
    subscription = confirmed(client, airspace)
    estonia = f.CountryFactory(name="Estonia")
    start = timezone.now()
    publish_draft(estonia, airspace, 1, start + datetime.timedelta(minutes=1))
    publish_draft(estonia, airspace, 2, start + datetime.timedelta(minutes=2))
    assert alerts.send_alert(subscription.reader_id, now=start + datetime.timedelta(minutes=3))
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert message.subject == "[Policy Debate Tracker] 2 new positions: Airspace"
    assert "Estonia: +1 (leaning more aggressive), stated 9 October 2025" in message.body
    assert "Estonia: +2 (strongly more aggressive), stated 9 October 2025" in message.body
    assert "Firmed up: Estonia moved from +1 to +2" in message.body
    assert "https://tracker.example/debates/airspace/" in message.body
    reader = Reader.objects.get()
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<https://tracker.example/alerts/unsubscribe/{reader.token}/>"
    )

    # Published the same day: held back for the next message, not a second one.
    publish_draft(estonia, airspace, -1, start + datetime.timedelta(hours=2))
    assert not alerts.send_alert(reader.id, now=start + datetime.timedelta(hours=3))
    assert len(mail.outbox) == 1
    assert alerts.send_alert(reader.id, now=start + datetime.timedelta(hours=25))
    assert mail.outbox[1].subject == "[Policy Debate Tracker] 1 new position: Airspace"
    assert "Estonia: −1" in mail.outbox[1].body and "+2 (strongly" not in mail.outbox[1].body
    # Nothing new: nothing sent, however long after.
    assert not alerts.send_alert(reader.id, now=start + datetime.timedelta(days=3))


@pytest.mark.django_db
def test_an_actor_follow_gets_the_actors_positions_in_every_debate(client, airspace):
    estonia = f.CountryFactory(name="Estonia", slug="estonia")
    follow(client, {"email": ADDRESS, "actor": "estonia"})
    subscription = Subscription.objects.get()
    alerts.send_confirmation(subscription.id)
    client.post(link(mail.outbox[0].body, "confirm"))
    later = timezone.now() + datetime.timedelta(minutes=1)
    publish_draft(estonia, airspace, 1, later)
    publish_draft(f.CountryFactory(name="Latvia"), airspace, 1, later)
    tariffs = f.DebateFactory(title="Tariffs", status="draft")
    publish_draft(estonia, tariffs, 1, later)  # a draft debate's: never told
    assert alerts.send_alert(subscription.reader_id, now=later + datetime.timedelta(minutes=1))
    body = mail.outbox[1].body
    assert "Estonia: +1" in body and "Latvia" not in body and "Tariffs" not in body


@pytest.mark.django_db
def test_the_one_click_unsubscribe_posts_to_the_header_link(client, airspace):
    subscription = confirmed(client, airspace)
    reader = subscription.reader
    address = f"/alerts/unsubscribe/{reader.token}/"
    assert "Unsubscribe" in client.get(address).content.decode()
    assert Reader.objects.exists()  # opening the link does nothing
    response = client.post(
        address, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "Unsubscribed" in response.content.decode()
    assert not Reader.objects.exists() and not Subscription.objects.exists()
    assert client.post(address).status_code == 200  # again: still fine


@pytest.mark.django_db
def test_a_link_that_stops_nothing_says_so_and_offers_no_button(client, airspace):
    subscription = confirmed(client, airspace)
    address = f"/alerts/unsubscribe/{subscription.reader.token}/"
    client.post(address)
    for link in (address, "/alerts/unsubscribe/not-a-token/"):
        page = client.get(link).content.decode()
        assert "This link stops no alerts" in page
        assert "Unsubscribe</button>" not in page


@pytest.mark.django_db
def test_the_unsubscribe_page_names_what_it_stops(client, airspace):
    f.CountryFactory(slug="estonia", name="Estonia")
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    follow(client, {"email": ADDRESS, "actor": "estonia"})
    one = Subscription.objects.get(actor__slug="estonia")
    page = client.get(f"/alerts/unsubscribe/{one.token}/").content.decode()
    assert "Stop the alerts on Estonia" in page and "Unsubscribe</button>" in page
    page = client.get(f"/alerts/unsubscribe/{one.reader.token}/").content.decode()
    assert "Stop every alert sent to this address" in page and "Unsubscribe</button>" in page


@pytest.mark.django_db
def test_unsubscribing_one_follow_keeps_the_others(client, airspace):
    f.CountryFactory(slug="estonia")
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    follow(client, {"email": ADDRESS, "actor": "estonia"})
    debate_follow = Subscription.objects.get(debate=airspace)
    client.post(f"/alerts/unsubscribe/{debate_follow.token}/")
    assert list(Subscription.objects.values_list("actor__slug", flat=True)) == ["estonia"]
    assert Reader.objects.count() == 1


HOSTILE_ADDRESSES = {
    "x" * 250 + "@example.org": "An email address is at most 254 characters long.",
    "reader@example.org\nBcc: everyone@example.org": "Enter an email address, like",
    "reader@example.org\r\nSubject: hi": "Enter an email address, like",
    "<script>alert(1)</script>@example.org": "Enter an email address, like",
    "reader\x00@example.org": "Null characters are not allowed.",
    "not an address": "Enter an email address, like",
    "reader@@example.org": "Enter an email address, like",
    "": "Enter the email address the alerts should go to.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE_ADDRESSES)
def test_a_bad_address_is_refused_with_a_clear_error(client, airspace, value):
    response = follow(client, {"email": value, "debate": "airspace"})
    assert response.status_code == 400
    page = response.content.decode()
    assert HOSTILE_ADDRESSES[value] in page
    assert "<script>alert" not in page
    assert not Reader.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target, heading, back",
    [
        ({"debate": "airspace"}, "Follow Airspace by email", 'href="/debates/airspace/"'),
        ({"actor": "estonia"}, "Follow Estonia by email", 'href="/actors/estonia/"'),
    ],
)
def test_a_refused_address_keeps_naming_what_is_followed(
    client, airspace, estonia, target, heading, back
):
    response = follow(client, {"email": "not an address", **target})
    assert response.status_code == 400
    page = response.content.decode()
    assert heading in page
    assert back in page
    assert "Enter an email address, like" in page
    # And once the address is right, the answer leads back to the same page.
    accepted = follow(client, {"email": ADDRESS, **target}, True).content.decode()
    assert "Check your inbox" in accepted and back in accepted


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target, error",
    [
        ({}, "Follow one debate or one actor."),
        ({"debate": "airspace", "actor": "estonia"}, "Follow one debate or one actor."),
        ({"debate": "no-such-debate"}, "There is no published debate by that name."),
        ({"debate": "drafted"}, "There is no published debate by that name."),
        ({"actor": "nobody"}, "There is no actor by that name."),
        ({"debate": "x" * 5000}, "There is no published debate by that name."),
        ({"actor": "<b>bad</b>"}, "There is no actor by that name."),
    ],
)
def test_following_nothing_published_is_refused(client, airspace, target, error):
    f.DebateFactory(slug="drafted", status="draft")
    response = follow(client, {"email": ADDRESS, **target})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Reader.objects.exists()


@pytest.mark.django_db
def test_signups_are_limited_per_client_address(client, airspace, settings):
    settings.TRACKER_ALERT_SIGNUP_RATE = "3/hour"
    for n in range(3):
        assert (
            follow(client, {"email": f"r{n}@example.org", "debate": "airspace"}).status_code == 303
        )
    refused = follow(client, {"email": "victim@example.org", "debate": "airspace"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many sign-ups" in refused.content.decode()
    assert not Reader.objects.filter(email="victim@example.org").exists()
    other = follow(client, {"email": "r9@example.org", "debate": "airspace"}, True, "198.51.100.4")
    assert other.status_code == 200 and "Check your inbox" in other.content.decode()


@pytest.mark.django_db
def test_addresses_are_in_no_panel_list(airspace):
    assert Reader not in admin.site._registry and Subscription not in admin.site._registry


@pytest.mark.django_db
def test_the_debate_and_actor_pages_offer_the_form(client, airspace):
    f.CountryFactory(slug="estonia", name="Estonia")
    debate_page = client.get("/debates/airspace/").content.decode()
    assert 'action="/alerts/follow/"' in debate_page
    assert '<input type="hidden" name="debate" value="airspace">' in debate_page
    actor_page = client.get("/actors/estonia/").content.decode()
    assert '<input type="hidden" name="actor" value="estonia">' in actor_page


@pytest.mark.django_db
def test_the_alert_pages_read_a_fixed_number_of_queries(
    client, airspace, django_assert_num_queries
):
    data = {"email": ADDRESS, "debate": "airspace"}
    for n in range(5):  # other readers change nothing
        alerts.subscribe(f"other{n}@example.org", debate=airspace)
    # The debate; then in one transaction (savepoint ... release) the reader's
    # get-or-create and the follow's (each: select, savepoint, insert, release).
    with django_assert_num_queries(11):
        follow(client, data)
    with django_assert_num_queries(1):  # the debate it names
        client.get("/alerts/check-inbox/?debate=airspace")
    token = Subscription.objects.get(reader__email=ADDRESS).token
    with django_assert_num_queries(1):
        client.get(f"/alerts/confirm/{token}/")
    # The three of confirming, and whether the debate is still on the site.
    with django_assert_num_queries(4):
        client.post(f"/alerts/confirm/{token}/")
    with django_assert_num_queries(1):  # what the link stops, to name it
        client.get(f"/alerts/unsubscribe/{token}/")
    assert reverse("public:alerts-follow") == FOLLOW


@pytest.mark.django_db
def test_a_confirmation_the_broker_missed_is_found_by_the_sweep(client, airspace):
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    subscription = Subscription.objects.get()
    assert alerts.pending_confirmations() == [subscription.id]
    alerts.send_confirmation(subscription.id)
    assert alerts.pending_confirmations() == []


@pytest.mark.django_db
def test_a_mail_server_that_is_down_delays_the_alert_and_loses_nothing(client, airspace, settings):
    subscription = confirmed(client, airspace)
    start = timezone.now()
    publish_draft(f.CountryFactory(name="Estonia"), airspace, 2, start)
    # A real SMTP connection to a port nobody listens on.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(OSError):
        alerts.send_alert(subscription.reader_id, now=start + datetime.timedelta(minutes=1))
    reader = Reader.objects.get()
    assert reader.last_sent_at is None
    assert alerts.due_readers(now=start + datetime.timedelta(minutes=2)) == [reader.id]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.send_alert(reader.id, now=start + datetime.timedelta(minutes=2))
    assert "Estonia: +2" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_address_that_never_confirms_is_forgotten_after_a_week(client, airspace):
    f.CountryFactory(slug="estonia")
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    follow(client, {"email": "other@example.org", "actor": "estonia"})
    client.post(f"/alerts/confirm/{Subscription.objects.get(actor__slug='estonia').token}/")
    six_days, eight_days = (timezone.now() + datetime.timedelta(days=n) for n in (6, 8))
    assert alerts.forget_unconfirmed(now=six_days) == 0
    assert alerts.forget_unconfirmed(now=eight_days) == 1
    assert list(Reader.objects.values_list("email", flat=True)) == ["other@example.org"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target, inbox, back",
    [
        ({"debate": "airspace"}, "/alerts/check-inbox/?debate=airspace", "/debates/airspace/"),
        ({"actor": "estonia"}, "/alerts/check-inbox/?actor=estonia", "/actors/estonia/"),
    ],
)
def test_a_sign_up_is_answered_on_a_page_a_reload_does_not_send_again(
    client, airspace, estonia, target, inbox, back
):
    response = follow(client, {"email": ADDRESS, **target})
    assert response.status_code == 303 and response["Location"] == inbox
    page = client.get(inbox)
    assert page.status_code == 200
    assert "Check your inbox" in page.content.decode()
    assert f'<a href="{back}">' in page.content.decode()
    # Opened again (a reload, a bookmark), it still reads the same and asks nothing.
    assert client.get(inbox).content == page.content
    assert Subscription.objects.count() == 1


@pytest.mark.django_db
def test_the_follow_address_opened_in_the_browser_shows_the_form(client, airspace):
    page = client.get("/alerts/follow/?debate=airspace")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Follow Airspace by email" in text
    assert '<input type="hidden" name="debate" value="airspace">' in text
    bare = client.get("/alerts/follow/")
    assert bare.status_code == 200
    assert 'href="/debates/"' in bare.content.decode()
    assert "<form" not in bare.content.decode().split("<main", 1)[1]


@pytest.mark.django_db
def test_a_stale_confirmation_link_says_what_to_do(client, airspace):
    response = client.get("/alerts/confirm/no-such-token/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "This link starts no alerts" in text
    assert "follow again from its page" in text
    assert client.post("/alerts/confirm/no-such-token/").status_code == 404


@pytest.mark.django_db
def test_confirming_says_the_alerts_are_on_and_leads_back(client, airspace):
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    token = Subscription.objects.get().token
    page = client.post(f"/alerts/confirm/{token}/").content.decode()
    assert "<h1>Your alerts are on</h1>" in page
    assert '<a href="/debates/airspace/">Back to Airspace</a>' in page


@pytest.mark.django_db
def test_refused_sign_ups_do_not_use_up_the_limit(client, airspace, settings):
    settings.TRACKER_ALERT_SIGNUP_RATE = "2/hour"
    for _ in range(5):  # a reader correcting a typing slip, again and again
        assert follow(client, {"email": "reader@", "debate": "airspace"}).status_code == 400
    for n in range(2):
        assert (
            follow(client, {"email": f"r{n}@example.org", "debate": "airspace"}).status_code == 303
        )
    refused = follow(client, {"email": "r9@example.org", "debate": "airspace"})
    assert refused.status_code == 429
    assert '<a href="/debates/airspace/">Back to Airspace</a>' in refused.content.decode()


@pytest.mark.django_db
def test_the_follow_address_naming_two_things_offers_a_form_that_works(client, airspace, estonia):
    page = client.get("/alerts/follow/?debate=airspace&actor=estonia").content.decode()
    assert '<input type="hidden" name="debate" value="airspace">' in page
    assert 'name="actor"' not in page


@pytest.mark.django_db
def test_confirming_alerts_on_a_debate_taken_off_the_site_links_nowhere(client, airspace):
    follow(client, {"email": ADDRESS, "debate": "airspace"})
    token = Subscription.objects.get().token
    airspace.status = "draft"
    airspace.save()
    page = client.post(f"/alerts/confirm/{token}/").content.decode()
    assert "Your alerts are on" in page
    assert 'href="/debates/airspace/"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, error",
    [
        ("debate=no-such-debate", "There is no published debate by that name."),
        ("actor=%3Cscript%3E", "There is no actor by that name."),
    ],
)
def test_the_follow_address_naming_nothing_published_says_so(client, airspace, query, error):
    page = client.get(f"/alerts/follow/?{query}")
    assert page.status_code == 404
    assert error in page.content.decode() and "<script>" not in page.content.decode()


@pytest.mark.django_db
def test_unsubscribing_leads_back_and_the_used_link_says_the_alerts_stopped(client, airspace):
    subscription = confirmed(client, airspace)
    page = client.post(f"/alerts/unsubscribe/{subscription.token}/").content.decode()
    assert "Unsubscribed" in page
    assert '<a href="/debates/airspace/">Back to Airspace</a>' in page
    stale = client.get(f"/alerts/confirm/{subscription.token}/").content.decode()
    assert "stopped" in stale


@pytest.mark.django_db
def test_signups_stay_limited_while_the_cache_is_unreachable(client, airspace, settings):
    """The limit is counted in the cache; with its Redis down, each process
    counts on its own rather than letting every sign-up through."""
    store = {"BACKEND": "tracker.cache.FailSoftRedisCache"}
    store["LOCATION"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CACHES = {"default": store, "pages": {**store, "KEY_PREFIX": "pages"}}
    settings.TRACKER_ALERT_SIGNUP_RATE = "3/hour"
    for n in range(3):
        assert (
            follow(client, {"email": f"r{n}@example.org", "debate": "airspace"}).status_code == 303
        )
    refused = follow(client, {"email": "victim@example.org", "debate": "airspace"})
    assert refused.status_code == 429
    assert not Reader.objects.filter(email="victim@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["reader@localhost", "reader@[127.0.0.1]", "r" * 65 + "@example.org", "reader@intranet"],
)
def test_an_address_no_mail_server_on_the_web_takes_is_refused(client, airspace, email):
    response = follow(client, {"email": email, "debate": "airspace"})
    assert response.status_code == 400
    assert "Enter an email address, like name@example.org." in response.content.decode()
    assert not Reader.objects.exists()
