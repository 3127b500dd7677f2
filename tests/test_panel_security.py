"""The editorial panel's doors: brute-force lockout, and a permission matrix over
every admin page and custom view of our models for every role."""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker.models import Actor, Debate, Evidence, Flag, Position

from . import factories as f

LOGIN = "/admin/login/?next=/admin/"


def attempt(client, password, address="198.51.100.7", **extra):
    return client.post(
        LOGIN,
        {"username": "editor-user", "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


@pytest.mark.django_db
def test_repeated_failures_lock_out_that_user_from_that_address(editor, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with an error
    assert attempt(client, "wrong").status_code == 429  # the last failure locks
    locked = attempt(client, "correct horse battery staple")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out for the same user.
    other = Client()
    assert attempt(other, "correct horse battery staple", address="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_client_address_counts(editor, settings):
    # One proxy at 10.0.0.2 appends the address it was reached from, as nginx does.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        # Each claims another origin before the proxy's own entry: never believed.
        forwarded = f"192.0.2.{n}, 198.51.100.7"
        attempt(client, "wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    # Same proxy, another client behind it: not locked.
    fresh = attempt(
        Client(), "correct horse battery staple", address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )  # fmt: skip
    assert fresh.status_code == 302
    locked = attempt(
        client, "correct horse battery staple", address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )  # fmt: skip
    assert locked.status_code == 429
    # A header that is no address (sent straight to gunicorn) counts as the connection's.
    garbage = attempt(Client(), "wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert garbage.status_code == 200
    assert AccessAttempt.objects.filter(ip_address="10.0.0.2").exists()


@pytest.mark.django_db
def test_the_login_form_enforces_csrf(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "editor-user", "password": "x"})
    assert response.status_code == 403


TRACKER_MODELS = [m for m in admin.site._registry if m._meta.app_label == "tracker"]


@pytest.fixture
def records(db):
    position = f.PositionFactory(status="draft", published_at=None)
    published = f.PositionFactory()
    f.EvidenceFactory(position=position)
    flag = f.FlagFactory(debate=position.debate)
    f.FeedFactory()
    f.ProposalFactory(debate=position.debate)
    from tracker.models import Heartbeat, Membership

    Membership.objects.create(member=f.ActorFactory(), organization=f.CountryFactory())
    from django.utils import timezone

    Heartbeat.objects.create(name="scheduler", seen_at=timezone.now())
    from tracker.releases import cut_release

    cut_release(None)
    return {"draft": position, "published": published, "flag": flag}


# What each role may open, written out by hand (not read from the permissions):
# "L" changelist, "A" add, "C" change (or view), "H" history, "D" delete.
# The Position opened is the published one, the Evidence hangs on a draft.
EDITOR_PAGES = {
    "actor": "LACH", "membership": "LACHD", "debate": "LACH", "proposal": "LACH",
    "position": "LACH", "evidence": "LACHD", "outlet": "LACH", "feed": "LACH",
    "coverageitem": "LACH", "flag": "LCH", "heartbeat": "LCH", "datarelease": "LCH",
}  # fmt: skip
PAGES_BY_ROLE = {
    "editor": EDITOR_PAGES,
    # Publishers also delete debates and options; a published position nobody deletes.
    "publisher": {**EDITOR_PAGES, "debate": "LACHD", "proposal": "LACHD"},
    "superuser": {
        "actor": "LACHD", "membership": "LACHD", "debate": "LACHD", "proposal": "LACHD",
        "position": "LACH", "evidence": "LACHD", "outlet": "LACHD", "feed": "LACHD",
        "coverageitem": "LACHD", "flag": "LCHD", "heartbeat": "LCHD",
        "datarelease": "LCH",  # cut on its own page; never deleted
    },
}  # fmt: skip
VIEW_LETTERS = {"changelist": "L", "add": "A", "change": "C", "history": "H", "delete": "D"}


def expected_for(role, model, view):
    if role == "anonymous":
        return "login"
    allowed = VIEW_LETTERS[view] in PAGES_BY_ROLE[role][model._meta.model_name]
    return 200 if allowed else 403


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def users(editor, publisher, superuser):
    return {"anonymous": AnonymousUser(), "editor": editor, "publisher": publisher,
            "superuser": superuser}  # fmt: skip


@pytest.mark.django_db
def test_every_admin_page_of_our_models_for_every_role(editor, publisher, superuser, records):
    checked = 0
    for role, user in users(editor, publisher, superuser).items():
        client = Client()
        if role != "anonymous":
            client.force_login(user)
        for model in TRACKER_MODELS:
            opts = model._meta
            obj = model.objects.first()
            assert obj is not None, model
            name = f"admin:{opts.app_label}_{opts.model_name}"
            pages = {
                "changelist": reverse(f"{name}_changelist"),
                "add": reverse(f"{name}_add"),
                "change": reverse(f"{name}_change", args=[obj.pk]),
                "history": reverse(f"{name}_history", args=[obj.pk]),
                "delete": reverse(f"{name}_delete", args=[obj.pk]),
            }
            for view, url in pages.items():
                response = client.get(url)
                expected = expected_for(role, model, view)
                if expected == "login":
                    assert (
                        response.status_code == 302 and "/admin/login/" in response["Location"]
                    ), url
                else:
                    assert response.status_code == expected, (role, url, response.status_code)
                checked += 1
    assert checked == 4 * 5 * len(TRACKER_MODELS)


@pytest.mark.django_db
def test_forbidden_writes_change_nothing(editor, records):
    client = Client()
    client.force_login(editor)
    draft = records["draft"]
    before = (
        Position.objects.count(),
        Debate.objects.count(),
        Actor.objects.count(),
        Flag.objects.count(),
    )
    assert (
        client.post(
            reverse("admin:tracker_position_delete", args=[draft.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:tracker_debate_delete", args=[draft.debate_id]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:tracker_flag_add"), {"item": records["flag"].item_id}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:tracker_position_publish", args=[draft.pk])).status_code == 403
    )
    assert (
        client.post(
            reverse("admin:tracker_position_retract", args=[records["published"].pk]),
            {"reason": "x"},
        ).status_code
        == 403
    )
    after = (
        Position.objects.count(),
        Debate.objects.count(),
        Actor.objects.count(),
        Flag.objects.count(),
    )
    assert before == after
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_custom_views_by_role(editor, publisher, superuser, records):
    draft, published, flag = records["draft"], records["published"], records["flag"]
    views = {
        "preview": (
            reverse("admin:tracker_debate_preview_query") + "?q=nato",
            {"editor", "publisher", "superuser"},
        ),
        "publish": (
            reverse("admin:tracker_position_publish", args=[draft.pk]),
            {"publisher", "superuser"},
        ),
        "retract": (
            reverse("admin:tracker_position_retract", args=[published.pk]),
            {"publisher", "superuser"},
        ),
        "accept": (
            reverse("admin:tracker_flag_accept", args=[flag.pk]),
            {"editor", "publisher", "superuser"},
        ),
    }
    for role, user in users(editor, publisher, superuser).items():
        client = Client()
        if role != "anonymous":
            client.force_login(user)
        for name, (url, allowed) in views.items():
            response = client.get(url)
            if role == "anonymous":
                assert response.status_code == 302 and "/admin/login/" in response["Location"], name
            else:
                assert response.status_code == (200 if role in allowed else 403), (role, name)


EXPECTED_ACTIONS = {
    # model: {action: roles that have it}
    "flag": {"claim": {"editor", "publisher", "superuser"}, "unassign": {"editor", "publisher", "superuser"},
             "dismiss": {"editor", "publisher", "superuser"}},
    "position": {"publish_selected": {"publisher", "superuser"}},
    "debate": {"rematch": {"editor", "publisher", "superuser"}, "follow": {"editor", "publisher", "superuser"},
               "unfollow": {"editor", "publisher", "superuser"}},
    "feed": {"fetch_now": {"editor", "publisher", "superuser"},
             "enable_and_fetch": {"editor", "publisher", "superuser"}},
    "actor": {"rematch_debates": {"editor", "publisher", "superuser"}},
}  # fmt: skip


@pytest.mark.django_db
def test_every_custom_action_by_role(editor, publisher, superuser, records):
    for role, user in users(editor, publisher, superuser).items():
        if role == "anonymous":
            continue
        for model in TRACKER_MODELS:
            actions = admin.site._registry[model].get_actions(_request(user))
            for action, roles in EXPECTED_ACTIONS.get(model._meta.model_name, {}).items():
                assert (action in actions) == (role in roles), (
                    role,
                    model._meta.model_name,
                    action,
                )


@pytest.mark.django_db
def test_an_action_posted_anonymously_does_nothing(records):
    flag = records["flag"]
    response = Client().post(
        reverse("admin:tracker_flag_changelist"), {"action": "claim", "_selected_action": [flag.pk]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    flag.refresh_from_db()
    assert flag.status == "new" and flag.assignee is None


@pytest.mark.django_db
def test_re_enabling_a_feed_in_bulk_is_on_record(editor):
    feeds = [f.FeedFactory(is_active=False, disabled_reason="broken") for _ in range(2)]
    client = Client()
    client.force_login(editor)
    client.post(
        reverse("admin:tracker_feed_changelist"),
        {"action": "enable_and_fetch", "_selected_action": [feed.pk for feed in feeds]},
    )
    for feed in feeds:
        latest = feed.history.order_by("-history_date").first()
        assert latest.is_active and latest.history_user == editor


@pytest.mark.django_db
def test_changelist_query_counts_do_not_grow_with_rows(superuser):
    client = Client()
    client.force_login(superuser)

    def counts():
        result = {}
        for model in TRACKER_MODELS:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result[opts.model_name] = len(captured)
        return result

    def add(n):
        for _ in range(n):
            position = f.PositionFactory()
            f.EvidenceFactory(position=position)
            flag = f.FlagFactory(debate=position.debate)
            flag.matched_actors.add(position.actor)
            f.FeedFactory()

    add(3)
    few = counts()
    add(25)
    assert counts() == few
