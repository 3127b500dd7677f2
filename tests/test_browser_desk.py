"""An editor and a publisher at work in a real browser: queue → claim → accept
into a draft → publish → history."""

import pytest

from tracker.models import Flag, Position
from tracker.roles import EDITOR, PUBLISHER

from . import factories as f
from .conftest import ARTIFACTS, log_in
from .factories import UserFactory


@pytest.fixture
def desk(roles):
    UserFactory(username="eddie", role=EDITOR)
    UserFactory(username="petra", role=PUBLISHER)
    nato = f.ActorFactory(slug="nato", name="NATO")
    debate = f.DebateFactory(slug="airspace", title="NATO's answer to Russian airspace violations")
    item = f.CoverageItemFactory(
        title="Allies weigh armed drones after Kremlin incursions",
        outlet=f.OutletFactory(name="Example Wire"),
        cited_outlet=f.OutletFactory(name="Financial Times"),
        summary="<p>NATO allies are discussing armed drones, the FT reported, citing four NATO officials.</p>",
    )
    return f.FlagFactory(
        item=item, debate=debate, score=6, matched_terms=["NATO", "drone*"], suggested_stance=1,
        matched_actors=[nato],
    )  # fmt: skip


def test_an_editor_accepts_a_flag_and_a_publisher_publishes_it(live_server, browser_page, desk):
    page, base = browser_page, live_server.url
    log_in(page, base, "eddie")
    page.goto(base + "/admin/tracker/flag/")
    assert page.locator("mark").first.inner_text() in ("NATO", "drones")
    page.screenshot(path=ARTIFACTS / "desk-queue.png", full_page=True)

    page.check(f"input[name=_selected_action][value='{desk.pk}']")
    page.select_option("select[name=action]", "claim")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "Claimed 1 flag." in page.inner_text("body")
    assert Flag.objects.get(pk=desk.pk).assignee.username == "eddie"

    page.goto(base + "/admin/tracker/flag/?queue=mine")  # the flags I claimed
    with page.expect_navigation():
        page.click("text=Allies weigh armed drones")  # the headline opens the review screen
    assert "claimed by you" in page.inner_text(".review-state")
    with page.expect_navigation():
        page.click("#accept-link")
    # Prefilled from the article: "the FT reported, citing four NATO officials".
    assert page.input_value("#id_actors-0-attribution") == "anonymous_officials"
    assert page.input_value("#id_actors-0-source_count") == "4"
    assert page.input_value("#id_actors-0-source_affiliation") == "NATO officials"
    page.check("#id_actors-0-take")
    page.fill("#id_actors-0-summary", "Allies weigh arming surveillance drones.")
    page.screenshot(path=ARTIFACTS / "desk-accept-form.png", full_page=True)
    with page.expect_navigation():
        page.click("input[type=submit]")
    position = Position.objects.get()
    assert position.status == "draft" and position.created_by.username == "eddie"
    assert "A new position" not in page.inner_text("body")
    # The editor cannot publish: the link leads nowhere for them.
    page.goto(f"{base}/admin/tracker/position/{position.pk}/publish/")
    assert "Only publishers publish" in page.inner_text("body")
    assert Position.objects.get().status == "draft"

    log_in(page, base, "petra")
    page.goto(f"{base}/admin/tracker/position/{position.pk}/change/")
    with page.expect_navigation():
        page.click("text=Publish…")
    with page.expect_navigation():
        page.click("input[type=submit][value=Publish]")
    assert Position.objects.get().status == "published"
    page.goto(f"{base}/admin/tracker/position/{position.pk}/history/")
    history = page.inner_text("#content")
    assert "eddie" in history and "petra" in history
    page.screenshot(path=ARTIFACTS / "desk-history.png", full_page=True)
    evidence = position.evidence.get()
    assert (
        evidence.attribution_chain
        == "Example Wire, citing Financial Times, citing four NATO officials"
    )
