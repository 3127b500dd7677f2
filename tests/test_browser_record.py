"""Shifts side by side, the record and the methodology as a reader sees them in
Chromium, on a laptop and on a phone, in light and dark mode."""

import pytest

from . import factories as f
from .conftest import ARTIFACTS
from .test_actor_record import build_world

PAGES = {
    "debate": "/debates/airspace/",
    "country": "/actors/france/",
    "official": "/actors/jean-example/",
    "methodology": "/methodology/",
}


@pytest.mark.slow
def test_record_pages_fit_a_laptop_and_a_phone_in_light_and_dark(
    live_server, browser_page, transactional_db
):
    debate = f.DebateFactory(
        slug="airspace", title="Airspace", low_label="conservative", high_label="more aggressive"
    )
    world = build_world(debate)
    page = browser_page
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for name, path in PAGES.items():
                page.goto(live_server.url + path)
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                    f"{name} scrolls sideways at {width} px"
                )
                page.screenshot(
                    path=ARTIFACTS / f"record-{name}-{width}-{scheme}.png", full_page=True
                )
                if name in ("debate", "country"):
                    shift = page.locator(f"#shift-{world['firmer']}")
                    before = shift.locator(".shift-before").bounding_box()
                    after = shift.locator(".shift-after").bounding_box()
                    if width > 700:  # the two quotes side by side
                        assert before["y"] == after["y"] and before["x"] < after["x"]
                    else:  # before above after
                        assert after["y"] >= before["y"] + before["height"]
    # The footer leads to the methodology, and a record's rating to its shift.
    page.goto(live_server.url + "/actors/france/")
    page.get_by_role("link", name="Firmed up").click()
    assert page.evaluate("location.hash") == f"#shift-{world['firmer']}"
    page.get_by_role("link", name="How we track positions").click()
    page.wait_for_url("**/methodology/")
    assert page.locator("h1").inner_text() == "How we track positions"
