"""Data releases in Chromium: a publisher cuts one from the panel, and readers
find its downloads, changelog and citation on a laptop and a phone."""

import datetime
import shutil
from pathlib import Path

import pytest

from tracker import desk
from tracker.models import Position

from . import factories as f
from .conftest import ARTIFACTS, log_in, watch_for_violations

DAY = datetime.date(2025, 10, 9)
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def cut_in_the_panel(page, base, note):
    page.goto(base + "/admin/tracker/datarelease/")
    page.get_by_role("link", name="Cut a release").click()
    page.fill("#id_note", note)
    page.get_by_role("button", name="Cut the release").click()
    page.wait_for_url("**/admin/tracker/datarelease/*/change/")
    return page.locator(".messagelist").inner_text()


@pytest.mark.slow
def test_a_release_is_cut_in_the_panel_and_read_on_a_laptop_and_a_phone(
    live_server, browser_page, committing_publisher
):
    debate = f.DebateFactory(
        slug="airspace", title="Airspace", low_label="conservative", high_label="more aggressive"
    )
    france = f.CountryFactory(name="France", slug="france", country="FR")
    poland = f.CountryFactory(name="Poland", slug="poland", country="PL")
    first = f.PositionFactory(debate=debate, actor=france, stance=1, stated_on=DAY)
    quoted = f.PositionFactory(debate=debate, actor=poland, stance=0, stated_on=DAY)
    f.EvidenceFactory(position=first)
    page = browser_page
    violations = []
    watch_for_violations(page, violations)
    log_in(page, live_server.url, committing_publisher.username)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/admin/tracker/datarelease/cut/")
        page.screenshot(path=ARTIFACTS / f"releases-cut-{width}.png", full_page=True)
    assert "Release 1 is cut: 2 positions" in cut_in_the_panel(page, live_server.url, "")

    f.PositionFactory(
        debate=debate, actor=france, stance=2, stated_on=DAY + datetime.timedelta(days=6),
        summary="France backs arming the drones and looser rules of engagement.",
    )  # fmt: skip
    f.PositionFactory(
        debate=debate,
        actor=f.ActorFactory(
            name="Allies advising restraint on the eastern flank", slug="allies", kind="bloc"
        ),
        stance=-2,
        stated_on=DAY + datetime.timedelta(days=7),
    )
    desk.retract(Position.objects.get(pk=quoted.pk), committing_publisher, "Misattributed quote")
    message = cut_in_the_panel(page, live_server.url, "Cut for the autumn briefing.")
    assert "Release 2 is cut: 4 positions" in message
    assert violations == []

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for name, path in (("list", "/data/releases/"), ("release", "/data/releases/2/")):
                page.goto(live_server.url + path)
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                    f"{name} scrolls sideways at {width} px"
                )
                shot = ARTIFACTS / f"releases-{name}-{width}-{scheme}.png"
                page.screenshot(path=shot, full_page=True)
                if name == "release" and scheme == "light":
                    shutil.copy(shot, SCREENSHOTS / f"release-{width}.png")
    page.goto(live_server.url + "/data/releases/2/")
    text = page.locator("main").inner_text()
    assert "Shifts (1)\nFrance on Airspace: from +1 to +2" in text
    assert "Reason: Misattributed quote" in text
    assert "Cut for the autumn briefing." in text
    with page.expect_download() as download:
        page.get_by_role("link", name="positions.csv").click()
    assert download.value.suggested_filename == "release-2-positions.csv"
