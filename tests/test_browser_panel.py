"""Every page of the editorial panel, opened and submitted in a real browser by an
editor and by a publisher: every add form filled with valid data, every change
form saved, every delete and action page gone through. No 500 anywhere."""

import pytest
from django.utils import timezone

from tracker.models import (
    Actor,
    CoverageItem,
    Debate,
    Evidence,
    Feed,
    Heartbeat,
    Membership,
    Outlet,
    Position,
    Proposal,
)
from tracker.roles import EDITOR, PUBLISHER

from . import factories as f
from .conftest import ARTIFACTS, log_in
from .factories import UserFactory


@pytest.fixture
def panel(roles, settings):
    # The test's feed server address is on loopback: allow it as an intranet feed.
    settings.TRACKER_FEED_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    UserFactory(username="eddie", role=EDITOR)
    UserFactory(username="petra", role=PUBLISHER)
    nato = f.ActorFactory(slug="nato", name="NATO", kind="bloc")
    estonia = f.CountryFactory(slug="estonia", name="Estonia", country="EE")
    Membership.objects.create(member=estonia, organization=nato, role="member state")
    debate = f.DebateFactory(slug="airspace", title="Answering airspace violations")
    f.ProposalFactory(debate=debate, title="Arm surveillance drones", slug="arm-drones")
    outlet = f.OutletFactory(name="Example Wire", domain="wire.example")
    item = f.CoverageItemFactory(title="Allies weigh armed drones", outlet=outlet)
    published = f.PositionFactory(actor=estonia, debate=debate, stance=1)
    f.EvidenceFactory(position=published, item=item)
    draft = f.PositionFactory(
        actor=nato, debate=debate, stance=0, status="draft", published_at=None
    )
    f.EvidenceFactory(position=draft, item=item, quote="We are watching.")
    f.FeedFactory(url="http://127.0.0.2:9/feed.xml", outlet=outlet)
    flag = f.FlagFactory(item=item, debate=debate, score=3, matched_terms=["drone*"])
    flag.matched_actors.set([nato, estonia])
    Heartbeat.objects.create(name="scheduler", seen_at=timezone.now())
    return {"nato": nato, "estonia": estonia, "debate": debate, "item": item, "draft": draft}


def choose(page, selector, value, text):
    """Pick a value in an autocomplete (select2) field, as choosing from its list does."""
    page.eval_on_selector(
        selector,
        """(select, [value, text]) => {
            select.append(new Option(text, value, true, true));
            select.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        [str(value), text],
    )


def add_forms(data, suffix):
    """model → the fields a person fills in to add one (selector, how, value)."""
    nato, estonia, debate = data["nato"], data["estonia"], data["debate"]
    return {
        "actor": [
            ("#id_kind", "select", "country"),
            ("#id_name", "fill", f"Belgium {suffix}"),
            ("#id_country", "fill", "BE"),
            ("#id_aliases", "fill", "Brussels"),
        ],
        "membership": [
            ("#id_member", "choose", (estonia.pk, "Estonia")),
            ("#id_organization", "choose", (nato.pk, "NATO")),
            ("#id_role", "fill", f"observer {suffix}"),
        ],
        "debate": [
            ("#id_title", "fill", f"Sanctions on shadow fleet {suffix}"),
            ("#id_question", "fill", "How hard should allies go after the shadow fleet?"),
            ("#id_low_label", "fill", "conservative"),
            ("#id_high_label", "fill", "more aggressive"),
            ("#id_watch_query", "fill", '"shadow fleet" OR tanker*'),
        ],
        "proposal": [
            ("#id_debate", "choose", (debate.pk, debate.title)),
            ("#id_title", "fill", f"Board tankers {suffix}"),
            ("#id_rung", "fill", "3"),
        ],
        "position": [
            ("#id_actor", "choose", (estonia.pk, "Estonia")),
            ("#id_debate", "choose", (debate.pk, debate.title)),
            ("#id_stance", "select", "2"),
            ("#id_stated_on", "fill", "2025-10-12"),
            ("#id_summary", "fill", f"Wants armed drones ({suffix})."),
        ],
        "evidence": [
            ("#id_position", "choose", (data["draft"].pk, str(data["draft"]))),
            ("#id_url", "fill", f"https://news.example/{suffix}"),
            ("#id_quote", "fill", "We are watching closely."),
            ("#id_attribution", "select", "spokesperson"),
        ],
        "outlet": [
            ("#id_name", "fill", f"Daily Example {suffix}"),
            ("#id_domain", "fill", f"daily-{suffix}.example"),
        ],
        "feed": [("#id_url", "fill", f"http://127.0.0.2:9/{suffix}.xml")],
        "coverageitem": [
            ("#id_canonical_url", "fill", f"https://news.example/story-{suffix}"),
            ("#id_url", "fill", f"https://news.example/story-{suffix}"),
            ("#id_title", "fill", f"Tankers shadowed in the Baltic ({suffix})"),
        ],
    }


MODELS = {
    "actor": Actor, "membership": Membership, "debate": Debate, "proposal": Proposal,
    "position": Position, "evidence": Evidence, "outlet": Outlet, "feed": Feed,
    "coverageitem": CoverageItem,
}  # fmt: skip
CHANGELISTS = [*MODELS, "flag", "heartbeat"]


class ServerErrors:
    """Every response of 500 or more the browser sees."""

    def __init__(self, page):
        self.seen = []
        page.on(
            "response", lambda r: self.seen.append((r.status, r.url)) if r.status >= 500 else None
        )


def save(page):
    with page.expect_navigation():
        page.click("input[name=_save]")


def assert_saved(page, what):
    body = page.inner_text("#content")
    assert not page.locator(".errornote").count(), (what, body[:1500])
    assert page.locator(".messagelist .success").count(), (what, body[:1500])


@pytest.mark.slow
@pytest.mark.parametrize("username", ["eddie", "petra"])
def test_every_panel_form_saves_for_each_role(live_server, browser_page, panel, username):
    page, base = browser_page, live_server.url
    errors = ServerErrors(page)
    log_in(page, base, username)

    for model in CHANGELISTS:
        response = page.goto(f"{base}/admin/tracker/{model}/")
        assert response.status == 200, model

    # Add: every form a role may use, filled as a person fills it.
    for model, fields in add_forms(panel, username).items():
        page.goto(f"{base}/admin/tracker/{model}/add/")
        for selector, how, value in fields:
            if how == "fill":
                page.fill(selector, value)
            elif how == "select":
                page.select_option(selector, value)
            else:
                choose(page, selector, *value)
        save(page)
        assert_saved(page, f"add {model}")
    assert Actor.objects.filter(slug=f"belgium-{username}").exists(), list(
        Actor.objects.values_list("slug", "name")
    )
    assert Position.objects.get(summary=f"Wants armed drones ({username}).").status == "draft"

    # Change: open every record and save it as it is; read-only ones have no Save.
    for model, cls in MODELS.items():
        for pk in cls.objects.values_list("pk", flat=True):
            page.goto(f"{base}/admin/tracker/{model}/{pk}/change/")
            if page.locator("input[name=_save]").count():
                save(page)
                assert_saved(page, f"change {model} {pk}")
            page.goto(f"{base}/admin/tracker/{model}/{pk}/history/")

    # Delete: what the role may delete goes; the rest shows no delete page.
    if username == "petra":
        draft = Position.objects.get(summary="Wants armed drones (petra).")
        page.goto(f"{base}/admin/tracker/position/{draft.pk}/delete/")
        with page.expect_navigation():
            page.click("input[type=submit]")
        assert not Position.objects.filter(pk=draft.pk).exists()
    membership = Membership.objects.get(role=f"observer {username}")
    page.goto(f"{base}/admin/tracker/membership/{membership.pk}/delete/")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    published = Position.objects.filter(status="published").first()
    response = page.goto(f"{base}/admin/tracker/position/{published.pk}/delete/")
    assert response.status == 403

    # Actions: every action of every changelist, with its confirmation where it has one.
    for model in CHANGELISTS:
        page.goto(
            f"{base}/admin/tracker/{model}/?queue=all"
            if model == "flag"
            else f"{base}/admin/tracker/{model}/"
        )
        options = page.eval_on_selector_all(
            "select[name=action] option", "options => options.map(o => o.value).filter(v => v)"
        )
        for action in options:
            if action == "delete_selected":
                continue  # gone through above, page by page
            page.goto(
                f"{base}/admin/tracker/{model}/?queue=all"
                if model == "flag"
                else f"{base}/admin/tracker/{model}/"
            )
            page.locator("input[name=_selected_action]").first.check()
            page.select_option("select[name=action]", action)
            with page.expect_navigation():
                page.click("button[name=index]")
            if page.locator("textarea[name=reason]").count():
                page.fill("textarea[name=reason]", "Not about the debate.")
                with page.expect_navigation():
                    page.click("#content-main input[type=submit]")
            elif page.locator("input[name=post][value=yes]").count():
                with page.expect_navigation():
                    page.click("#content-main input[type=submit]")
            assert "Server Error" not in page.title(), (model, action)
    page.screenshot(path=ARTIFACTS / f"panel-{username}.png", full_page=True)
    assert errors.seen == []
