"""The review screen: one page per flag, where the desk reads, claims, gives back,
dismisses and goes on to accept. No field of a flag is edited by hand."""

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker import desk
from tracker.models import Flag

from . import factories as f
from .factories import UserFactory

QUEUE = reverse("admin:tracker_flag_changelist")


def review_url(flag):
    return reverse("admin:tracker_flag_change", args=[flag.pk])


def action_url(flag, action):
    return reverse(f"admin:tracker_flag_{action}", args=[flag.pk])


@pytest.fixture
def world(db):
    putin = f.ActorFactory(slug="vladimir-putin", name="Vladimir Putin", aliases=["Putin"])
    nato = f.ActorFactory(slug="nato", name="NATO")
    debate = f.DebateFactory(
        slug="airspace",
        title="NATO's answer to Russian airspace violations",
        low_label="conservative",
        high_label="more aggressive",
    )
    wire = f.OutletFactory(name="Example Wire")
    item = f.CoverageItemFactory(
        title="Allies weigh armed drones after Putin’s incursions",
        url="https://wire.example/allies-drones",
        outlet=wire,
        published_at=datetime.datetime(2025, 10, 9, 8, 30, tzinfo=datetime.UTC),
        summary="<p>WASHINGTON (Wire) — NATO allies push for a stronger response to Vladimir "
        "Putin, officials said. They may open ﬁre on drones.</p>",
    )
    f.CoverageItemFactory(
        title="Copy of the drones story",
        outlet=f.OutletFactory(name="Copy Daily"),
        duplicate_of=item,
        url="https://copy.example/drones",
    )
    return f.FlagFactory(
        item=item, debate=debate, score=7, matched_terms=["NATO", "fire*", "@vladimir-putin"],
        suggested_stance=1,
        stance_reasons=[{"cue": "push for", "direction": 1}, {"cue": "restraint", "direction": -1}],
        matched_actors=[putin, nato],
    )  # fmt: skip


def state(flag):
    flag.refresh_from_db()
    return (
        flag.status,
        flag.assignee and flag.assignee.username,
        flag.score,
        flag.decided_at is not None,
        flag.note,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# The raw change form of Django's admin, as it was rendered for a flag: every
# field it had, filled in the way that broke the queue.
def raw_form(flag, **changes):
    data = {
        "item": flag.item_id,
        "debate": flag.debate_id,
        "score": "7.0",
        "matched_terms": '["NATO", "fire*", "@vladimir-putin"]',
        "matched_actors": [a.pk for a in flag.matched_actors.all()],
        "suggested_stance": "1",
        "stance_reasons": "[]",
        "status": "new",
        "assignee": "",
        "note": "",
        "positions": [],
        "_save": "Save",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_raw_form_post_setting_accepted_changes_nothing_and_does_not_fail(editor, client, world):
    client.force_login(editor)
    response = client.post(review_url(world), raw_form(world, status="accepted"))
    assert response.status_code in (302, 303)
    assert state(world) == ("new", None, 7.0, False, "")


@pytest.mark.django_db
def test_a_raw_form_post_cannot_hand_a_flag_to_a_colleague_or_change_its_score(
    publisher, client, world
):
    other = f.second_editor()
    client.force_login(publisher)
    client.post(review_url(world), raw_form(world, status="claimed", assignee=other.pk, score="99"))
    assert state(world) == ("new", None, 7.0, False, "")
    assert not world.history.filter(history_user=publisher).exists()


@pytest.mark.django_db
def test_nobody_adds_a_flag_by_hand(superuser, client, world):
    client.force_login(superuser)
    assert client.get(reverse("admin:tracker_flag_add")).status_code == 403


class Forms(HTMLParser):
    """The forms of a page: action -> {field: value}, as a browser would send them."""

    def __init__(self, html):
        super().__init__()
        self.forms, self.current, self.textarea = {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = self.forms.setdefault(attrs.get("action", ""), {})
        elif self.current is not None and tag in ("input", "button") and attrs.get("name"):
            if attrs.get("type") not in ("submit",) or tag == "input":
                self.current[attrs["name"]] = attrs.get("value", "")
        elif self.current is not None and tag == "textarea":
            self.textarea = attrs["name"]
            self.current[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.current[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None


def press(client, flag, action, page_url=None, **typed):
    """Open the review screen, and submit the form of one action with what was typed."""
    page = client.get(page_url or review_url(flag))
    assert page.status_code == 200
    forms = Forms(page.content.decode()).forms
    url = action_url(flag, action)
    assert url in forms, f"no {action} button on the page"
    return client.post(url, {**forms[url], **typed}, follow=True)


@pytest.mark.django_db
def test_the_review_screen_shows_the_article_marked_and_why_it_was_flagged(editor, client, world):
    client.force_login(editor)
    page = client.get(review_url(world)).content.decode()
    assert '<a href="https://wire.example/allies-drones" rel="noopener noreferrer"' in page
    assert "Example Wire" in page and "9 Oct 2025" in page
    # The matched words and each actor's mentions, as the matcher matched them.
    assert "may open <mark>ﬁre</mark> on drones" in page
    assert '<mark class="actor" title="NATO">NATO</mark> allies push for' in page
    assert (
        'response to <mark class="actor" title="Vladimir Putin">Vladimir Putin</mark>, officials'
        in page
    )
    assert 'after <mark class="actor" title="Vladimir Putin">Putin</mark>’s incursions' in page
    # The copy that another outlet ran.
    assert "Copy Daily" in page and "https://copy.example/drones" in page
    # Why: terms, score, the stance in the debate's own words and each cue's direction.
    assert "NATO&#x27;s answer to Russian airspace violations" in page
    assert "<code>fire*</code>" in page and "<dd>7</dd>" in page
    assert "<strong>+1</strong>, leaning more aggressive" in page
    assert '<span class="cue-sign">+</span> push for' in page
    assert '<span class="cue-sign">−</span> restraint' in page
    assert reverse("admin:tracker_flag_accept", args=[world.pk]) in page
    assert reverse("admin:tracker_flag_history", args=[world.pk]) in page
    assert "<kbd>j</kbd> next flag in the queue" in page
    assert "review.js" in page and "<script>" not in page  # no inline script


@pytest.mark.django_db
def test_the_review_screen_escapes_text_from_feeds(editor, client, world):
    world.item.title = "<script>alert(1)</script> NATO"
    world.item.summary = "&lt;img src=x onerror=alert(2)&gt; Putin"
    world.item.save()
    client.force_login(editor)
    page = client.get(review_url(world)).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_claiming_makes_the_flag_mine_and_stays_on_it(role, request, client, world):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = press(client, world, "claim")
    assert state(world) == ("claimed", user.username, 7.0, False, "")
    assert response.redirect_chain[-1][0] == review_url(world)
    assert "Claimed: yours until you decide or give it back." in messages_of(response)
    assert "claimed by <strong>you</strong>" in response.content.decode()
    assert world.history.filter(history_change_reason="claimed", history_user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_a_colleagues_flag_cannot_be_claimed_and_the_message_names_them(
    role, request, client, world
):
    client.force_login(request.getfixturevalue(role))
    page = client.get(review_url(world))  # the page as it was, before the colleague claimed
    desk.claim_flags(f.second_editor(), [world.pk])
    forms = Forms(page.content.decode()).forms
    url = action_url(world, "claim")
    response = client.post(url, forms[url], follow=True)
    assert "Not claimed: claimed by second-editor." in messages_of(response)
    assert state(world) == ("claimed", "second-editor", 7.0, False, "")
    assert "second-editor has this flag" in response.content.decode()


@pytest.mark.django_db
def test_an_editor_gives_back_a_flag_and_goes_on_to_the_next(editor, client, world):
    below = f.FlagFactory(debate=world.debate, score=3, item=f.CoverageItemFactory(title="Next"))
    desk.claim_flags(editor, [world.pk])
    client.force_login(editor)
    response = press(client, world, "give_back")
    assert state(world) == ("new", None, 7.0, False, "")
    assert response.redirect_chain[-1][0] == review_url(below)
    assert "Given back to the queue." in messages_of(response)


@pytest.mark.django_db
def test_an_editor_cannot_give_back_a_colleagues_flag_but_a_publisher_can(
    editor, publisher, client, world
):
    desk.claim_flags(f.second_editor(), [world.pk])
    client.force_login(editor)
    assert "give-back" not in client.get(review_url(world)).content.decode()
    response = client.post(action_url(world, "give_back"), follow=True)
    assert "Not given back: claimed by second-editor." in messages_of(response)
    assert state(world) == ("claimed", "second-editor", 7.0, False, "")
    client.force_login(publisher)
    press(client, world, "give_back")
    assert state(world) == ("new", None, 7.0, False, "")


@pytest.mark.django_db
def test_dismissing_without_a_reason_is_refused(editor, client, world):
    client.force_login(editor)
    response = press(client, world, "dismiss", reason="   ")
    assert "Not dismissed: Say why you dismiss it." in messages_of(response)
    assert response.redirect_chain[-1][0] == review_url(world)
    assert state(world) == ("new", None, 7.0, False, "")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_dismissing_with_a_reason_decides_the_flag_and_opens_the_next(role, request, client, world):
    user = request.getfixturevalue(role)
    below = f.FlagFactory(debate=world.debate, score=3, item=f.CoverageItemFactory(title="Next"))
    client.force_login(user)
    response = press(client, world, "dismiss", reason="A sports story")
    assert state(world) == ("dismissed", None, 7.0, True, "A sports story")
    assert world.decided_by == user
    assert response.redirect_chain[-1][0] == review_url(below)
    assert "Dismissed." in messages_of(response)


@pytest.mark.django_db
def test_the_last_flag_dismissed_leads_back_to_the_queue(editor, client, world):
    client.force_login(editor)
    response = press(client, world, "dismiss", reason="Off topic")
    assert response.redirect_chain[-1][0] == QUEUE
    assert "No flag after that one in this view of the queue." in messages_of(response)


@pytest.mark.django_db
def test_a_colleagues_flag_cannot_be_dismissed(editor, client, world):
    desk.claim_flags(f.second_editor(), [world.pk])
    client.force_login(editor)
    response = client.post(action_url(world, "dismiss"), {"reason": "Mine now"}, follow=True)
    assert "Not dismissed: claimed by second-editor." in messages_of(response)
    assert state(world) == ("claimed", "second-editor", 7.0, False, "")


@pytest.mark.django_db
def test_a_decided_flag_offers_no_action(editor, client, world):
    desk.dismiss_flags(editor, [world.pk], "Off topic")
    client.force_login(editor)
    page = client.get(review_url(world)).content.decode()
    assert "This flag is decided." in page and "Off topic" in page
    assert action_url(world, "claim") not in page and action_url(world, "dismiss") not in page
    response = client.post(action_url(world, "claim"), follow=True)
    assert "Not claimed: already dismissed by editor-user." in messages_of(response)


@pytest.mark.django_db
def test_actions_are_posts_with_a_csrf_token(editor, world):
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    browser.force_login(editor)
    assert browser.get(action_url(world, "claim")).status_code == 405
    assert browser.post(action_url(world, "claim")).status_code == 403  # no token
    assert state(world) == ("new", None, 7.0, False, "")
    press(browser, world, "claim")  # the page's own form carries the token
    assert state(world) == ("claimed", "editor-user", 7.0, False, "")


@pytest.mark.django_db
def test_someone_without_the_desk_role_gets_the_admins_403_page(client, world):
    outsider = UserFactory(username="outsider")  # staff, but no role
    client.force_login(outsider)
    page = client.get(review_url(world))
    assert page.status_code == 403
    assert "The review queue is for editors and publishers." in page.content.decode()
    assert "Policy Debate Tracker" in page.content.decode()  # the admin's own page
    for action in ("claim", "give_back", "dismiss"):
        assert client.post(action_url(world, action), {"reason": "x"}).status_code == 403
    assert client.get(action_url(world, "next")).status_code == 403
    assert state(world) == ("new", None, 7.0, False, "")


@pytest.mark.django_db
def test_someone_logged_out_is_sent_to_log_in(client, world):
    response = client.post(action_url(world, "claim"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert state(world) == ("new", None, 7.0, False, "")


@pytest.fixture
def ranked(world):
    """The queue, best first: world (7), middle (5, older), low (5, newer), dismissed (9)."""
    debate = world.debate
    low = f.FlagFactory(debate=debate, score=5, item=f.CoverageItemFactory(title="Low"))
    middle = f.FlagFactory(debate=debate, score=5, item=f.CoverageItemFactory(title="Middle"))
    Flag.objects.filter(pk=middle.pk).update(created_at=low.created_at + datetime.timedelta(1))
    f.FlagFactory(
        debate=debate, score=9, status="dismissed", decided_at=low.created_at,
        item=f.CoverageItemFactory(title="Gone"),
    )  # fmt: skip
    return world, middle, low


@pytest.mark.django_db
def test_next_and_previous_follow_the_queue_order(editor, client, ranked):
    top, middle, low = ranked
    client.force_login(editor)
    assert client.get(action_url(top, "next"))["Location"] == review_url(middle)
    assert client.get(action_url(middle, "next"))["Location"] == review_url(low)
    assert client.get(action_url(low, "previous"))["Location"] == review_url(middle)
    assert client.get(action_url(middle, "previous"))["Location"] == review_url(top)
    assert client.get(action_url(top, "previous"))["Location"] == QUEUE  # past the start
    assert client.get(action_url(low, "next"))["Location"] == QUEUE


@pytest.mark.django_db
def test_next_keeps_to_the_view_of_the_queue_the_editor_came_from(editor, client, ranked):
    top, _, low = ranked
    desk.claim_flags(editor, [top.pk, low.pk])
    client.force_login(editor)
    mine = "?_changelist_filters=queue%3Dmine"
    assert client.get(action_url(top, "next") + mine)["Location"] == review_url(low) + mine
    # The queue list links each headline to its review screen in that view.
    page = client.get(QUEUE + "?queue=mine").content.decode()
    assert f'href="{review_url(top)}{mine}"' in page
    assert client.get(action_url(low, "next") + mine)["Location"] == QUEUE + "?queue=mine"


@pytest.mark.django_db
def test_my_flags_and_unclaimed_are_one_click_views_of_the_queue(editor, client, ranked):
    top, middle, _ = ranked
    desk.claim_flags(editor, [top.pk])
    desk.claim_flags(f.second_editor(), [middle.pk])
    client.force_login(editor)
    queue = client.get(QUEUE).content.decode()
    assert '<a href="?queue=mine"' in queue and '<a href="?queue=unclaimed"' in queue

    def titles(view):
        response = client.get(QUEUE + f"?queue={view}")
        return [flag.item.title for flag in response.context["cl"].result_list]

    assert titles("mine") == [top.item.title]
    assert titles("unclaimed") == ["Low"]
    assert titles("open") == [top.item.title, "Middle", "Low"]


def review_queries(client, flag):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(review_url(flag)).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_review_screen_query_count_does_not_grow_with_copies_or_actors(editor, client, world):
    client.force_login(editor)
    review_queries(client, world)  # the first request loads the session and permissions
    one_copy_two_actors = review_queries(client, world)
    f.CoverageItemFactory.create_batch(9, duplicate_of=world.item)  # each from its own outlet
    assert review_queries(client, world) == one_copy_two_actors
    actors = [f.ActorFactory(name=f"Minister {n}", aliases=[f"Alias {n}"]) for n in range(6)]
    world.matched_actors.add(*actors)
    assert review_queries(client, world) == one_copy_two_actors
    page = client.get(review_url(world)).content.decode()
    assert page.count("<li><strong>Outlet") == 9 and "Minister 5" in page


@pytest.mark.django_db
def test_a_flag_i_claimed_stays_on_my_path_through_the_unclaimed_queue(editor, client, ranked):
    top, middle, low = ranked
    desk.claim_flags(editor, [top.pk])
    desk.claim_flags(f.second_editor(), [low.pk])
    client.force_login(editor)
    assert client.get(action_url(top, "next"))["Location"] == review_url(middle)
    assert client.get(action_url(middle, "previous"))["Location"] == review_url(top)  # mine
    assert client.get(action_url(middle, "next"))["Location"] == QUEUE  # the colleague's is not


@pytest.mark.django_db
def test_a_mangled_queue_view_still_leads_somewhere_sane(editor, client, ranked):
    top = ranked[0]
    client.force_login(editor)
    odd = "?_changelist_filters=" + "queue%3Dnope%26score_at_least%3D%0D%0Ax"
    assert client.get(action_url(top, "next") + odd).status_code == 302
    bad_lookup = "?_changelist_filters=" + "item__nope%3D1"
    assert client.get(action_url(top, "next") + bad_lookup).status_code == 302
    assert client.get(reverse("admin:tracker_flag_change", args=["abc"])).status_code == 404


@pytest.mark.django_db
def test_not_even_a_publisher_reverts_a_flag_to_an_earlier_state(publisher, client, world):
    before_claim = world.history.latest()
    desk.dismiss_flags(publisher, [world.pk], "Off topic")
    client.force_login(publisher)
    url = reverse("admin:tracker_flag_simple_history", args=[world.pk, before_claim.pk])
    response = client.post(url, raw_form(world, status="new"))
    assert response.status_code == 403
    assert state(world) == ("dismissed", None, 7.0, True, "Off topic")
    assert client.get(reverse("admin:tracker_flag_history", args=[world.pk])).status_code == 200
