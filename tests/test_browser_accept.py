"""An editor accepts a flag in a real browser: two actors with their own stances
and quotes, and a third created on the spot through the "+" popup."""

from datetime import UTC, datetime

import pytest

from tracker.models import Actor, Position
from tracker.roles import EDITOR

from . import factories as f
from .conftest import ARTIFACTS, SCREENSHOTS, log_in, new_actor_popup
from .factories import UserFactory

ARTICLE = (
    "<p>BRUSSELS, Oct 9 (Example Wire) — NATO allies are discussing a stronger response to "
    "Russian provocations, the Financial Times reported, citing four NATO officials.</p>"
    "<p>Poland is pushing for a more aggressive posture after Russian drones crossed its "
    "airspace, two senior officials said. France urged restraint and a measured response. "
    "“We will not be drawn into a war by provocations,” said France's foreign minister.</p>"
    "<p>NATO Secretary General Mark Rutte said allies would defend every inch of their "
    "territory. The Kremlin denied any incursion.</p>"
)


@pytest.fixture
def flag(roles):
    UserFactory(username="eddie", role=EDITOR)
    flag = f.airspace_flag(ARTICLE, published_at=datetime(2025, 10, 9, 11, 39, tzinfo=UTC))
    # A long option title: the proposal menu must still fit a phone.
    f.ProposalFactory(
        debate=flag.debate,
        title="Hold military exercises in the remote and unguarded parts of the border",
    )
    return flag


def test_an_editor_accepts_two_actors_and_creates_a_third_in_a_popup(
    live_server, browser_page, flag
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "eddie")
    page.goto(f"{base}/admin/tracker/flag/{flag.pk}/accept/")
    # Rows: France, Poland, then Russia (the debate's subject), then empty rows; the
    # editor ticks the ones to log.
    assert not any(page.is_checked(f"#id_actors-{n}-take") for n in range(3))
    page.check("#id_actors-0-take")
    page.check("#id_actors-1-take")
    assert "subject of the debate" in page.inner_text("#row-2").lower()
    assert page.input_value("#id_actors-0-stance") == "-2"
    assert page.input_value("#id_actors-1-stance") == "2"
    page.screenshot(path=SCREENSHOTS / "accept.png")
    # Styled under the panel's Content-Security-Policy (no inline style), and on a
    # phone every row fits the screen instead of scrolling sideways.
    label = page.locator(".accept-rows .field-label").first
    assert label.evaluate("e => getComputedStyle(e).textTransform") == "uppercase"
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "accept-390.png",
                    full_page=True)  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 900})

    page.select_option("#id_actors-0-stance", "-1")
    page.fill("#id_actors-0-summary", "France urges restraint.")
    page.fill("#id_actors-1-summary", "Poland wants a more aggressive posture.")
    page.fill("#id_actors-1-quote", "Poland is pushing for a more aggressive posture.")

    popup = new_actor_popup(page, "#add_id_actors-3-actor", "official", "Mark Rutte")
    assert popup.input_value("#id_slug") == "mark-rutte"  # prepopulated as typed
    with popup.expect_event("close"):
        popup.click("input[name=_save]")
    rutte = Actor.objects.get(slug="mark-rutte")
    # The new actor is chosen in the row that asked for it.
    assert page.input_value("#id_actors-3-actor") == str(rutte.pk)
    assert "Mark Rutte" in page.inner_text("#row-3")
    page.check("#id_actors-3-take")
    page.select_option("#id_actors-3-stance", "1")
    page.fill("#id_actors-3-summary", "Rutte: allies will defend every inch.")
    page.fill(
        "#id_actors-3-quote",
        "NATO Secretary General Mark Rutte said allies would defend every inch of their territory.",
    )
    page.screenshot(path=ARTIFACTS / "accept-filled.png",
                    full_page=True)  # fmt: skip
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "Accepted: 3 draft positions logged" in page.inner_text("body")

    drafts = {p.actor.slug: p for p in Position.objects.select_related("actor")}
    assert set(drafts) == {"france", "poland", "mark-rutte"}
    assert {p.status for p in drafts.values()} == {"draft"}
    assert {p.created_by.username for p in drafts.values()} == {"eddie"}
    assert (drafts["france"].stance, drafts["france"].summary) == (-1, "France urges restraint.")
    assert drafts["poland"].stance == 2 and drafts["mark-rutte"].stance == 1
    quotes = {slug: p.evidence.get().quote for slug, p in drafts.items()}
    assert quotes["poland"] == "Poland is pushing for a more aggressive posture."
    assert quotes["france"].startswith("France urged restraint and a measured response.")
    assert quotes["mark-rutte"].startswith("NATO Secretary General Mark Rutte said")
    assert drafts["poland"].evidence.get().attribution_chain == (
        "Example Wire, citing Financial Times, citing two senior officials"
    )
    flag.refresh_from_db()
    assert flag.status == "accepted" and flag.positions.count() == 3
