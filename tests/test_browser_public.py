"""A reader clicks through the public site in a real browser."""

import pytest
from django.core.management import call_command

from .conftest import ARTIFACTS

NATO = "nato-response-to-russian-airspace-violations"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_LOGINS_FILE = tmp_path / "logins.json"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_reader_goes_from_home_to_debate_to_actor_to_compare(live_server, browser_page, demo):
    page = browser_page
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Who stands where, and on what evidence"
    page.screenshot(path=ARTIFACTS / "public-home.png")

    page.get_by_role("link", name="NATO's answer to Russian airspace violations").first.click()
    page.wait_for_url(f"**/debates/{NATO}/")
    assert page.locator("figure.spectrum").get_by_role("link", name="Donald Trump").is_visible()
    assert page.get_by_text("Financial Times, citing four NATO officials").first.is_visible()
    page.screenshot(path=ARTIFACTS / "public-debate.png", full_page=True)

    # As of 30 September 2025 only the President's earlier statement was on record.
    page.fill("#id_as_of", "2025-09-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**as_of=2025-09-30**")
    assert "As it stood on 30 September 2025" in page.inner_text("main")
    rows = page.locator("table.stances tbody tr")
    assert rows.count() == 1 and "Donald Trump" in rows.first.inner_text()
    page.screenshot(path=ARTIFACTS / "public-debate-as-of.png", full_page=True)

    page.goto(f"{live_server.url}/debates/{NATO}/")
    page.select_option("#id_kind", "country")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**kind=country**")
    names = page.locator("table.stances tbody th a").all_inner_texts()
    assert names and set(names) <= {"Estonia", "France", "Poland", "United Kingdom"}
    page.screenshot(path=ARTIFACTS / "public-debate-countries.png", full_page=True)

    page.get_by_role("link", name="France").first.click()
    page.wait_for_url("**/actors/france/")
    assert page.locator("h1").inner_text() == "France"
    page.get_by_role("link", name="Compare France with…").click()
    page.wait_for_url("**/compare/?actor=france")
    page.select_option("#add", "united-kingdom")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**actor=france&actor=united-kingdom**")
    assert page.locator("table.compare tbody tr").count() == 1
    page.screenshot(path=ARTIFACTS / "public-compare.png", full_page=True)


def test_the_matrix_scrolls_sideways_on_a_phone(live_server, browser_page, demo):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/debates/{NATO}/")
    region = page.locator(".scroll").first
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # The reader is told, and the actor's name stays in view as the options move.
    hint = page.get_by_text("5 options: swipe the table sideways for every one.")
    assert hint.is_visible()
    actor = page.locator("table.matrix tbody th").first
    before = actor.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = 200; }")
    assert region.evaluate("el => el.scrollLeft") == 200
    assert abs(actor.bounding_box()["x"] - before) < 1
    page.screenshot(path=ARTIFACTS / "public-debate-phone.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    assert not hint.is_visible()  # a wide screen shows every option


def test_a_very_long_name_keeps_every_page_to_a_phone_screen(live_server, browser_page, db):
    from . import factories as f

    long_name = "Ministerium" * 18  # 198 letters, no space to break at
    actor = f.CountryFactory(name=long_name, slug="long", country="DE")
    debate = f.DebateFactory(slug="airspace", title="Airspace")
    f.EvidenceFactory(position=f.PositionFactory(debate=debate, actor=actor, stance=1))
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    paths = ["/actors/", "/actors/long/", "/debates/airspace/", "/compare/?a=long&b=long",
             "/search/?q=" + "poland" * 100]  # fmt: skip
    for path in paths:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
