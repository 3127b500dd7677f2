"""A reader follows a debate by email in a real browser, on a laptop and a phone."""

import pytest

from tracker.models import Subscription

from . import factories as f
from .conftest import ARTIFACTS, watch_for_violations


@pytest.fixture
def airspace(transactional_db):
    debate = f.DebateFactory(slug="airspace", title="NATO's answer to Russian airspace violations")
    for name, stance in [("Estonia", 2), ("France", 1), ("Germany", -1)]:
        f.PositionFactory(actor=f.CountryFactory(name=name), debate=debate, stance=stance)
    return debate


def fits(page):
    """The page scrolls no sideways, and the follow form is wholly in it."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("form.follow").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_reader_follows_a_debate_from_its_page(
    live_server, browser_page, airspace, width, height
):
    page = browser_page
    violations = []
    watch_for_violations(page, violations)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/debates/airspace/")
    field = page.get_by_label("Email me when positions on NATO's answer")
    assert field.is_visible()
    fits(page)
    page.locator("form.follow").screenshot(path=ARTIFACTS / f"alerts-form-{width}.png")
    page.screenshot(path=ARTIFACTS / f"alerts-debate-{width}.png")

    # An address the browser lets through but that cannot be mailed: the
    # reader is told why, and can correct it on the spot.
    field.fill("reader@example")
    page.get_by_role("button", name="Follow").click()
    page.wait_for_url("**/alerts/follow/")
    assert "Enter an email address, like name@example.org." in page.inner_text("main")
    fits(page)
    page.screenshot(path=ARTIFACTS / f"alerts-error-{width}.png")
    retry = page.get_by_label("Your email address")
    assert retry.input_value() == "reader@example"  # kept, to correct
    retry.fill("reader@example.org")
    page.get_by_role("button", name="Follow").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your inbox"
    assert "reader@example.org" not in page.content()
    page.screenshot(path=ARTIFACTS / f"alerts-check-inbox-{width}.png")
    assert Subscription.objects.get().reader.email == "reader@example.org"
    assert violations == []
