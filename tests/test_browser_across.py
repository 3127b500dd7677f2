"""The pages that read across debates in a real browser, on a laptop and on a
phone, in light and dark mode: no sideways scrolling, and every actor and
debate named in full inside the screen. Screenshots go to test-artifacts/."""

import pytest

from tracker.demo import DEMO_DIR, load_demo_file

from . import factories as f
from .conftest import ARTIFACTS

NATO = "nato-response-to-russian-airspace-violations"

# The demo's actors with a published stance on a debate as a whole, by hand.
ACTORS = {
    "Allies advising restraint", "Allies allowing fire on radar data", "Allies bordering Russia",
    "Allies pushing for a more aggressive posture", "Allies requiring visual confirmation",
    "Donald Trump", "Estonia", "France", "Matthew Whitaker", "NATO", "Poland", "United Kingdom",
}  # fmt: skip
DEBATES = {
    "NATO's answer to Russian airspace violations",
    "Rules of engagement on the eastern flank",
}
COMPARED = ["donald-trump", "estonia", "france", "nato", "united-kingdom"]

# Each element named: its text, its box, whether its text is cut off.
MEASURE = """(selector) => {
  const boxes = [...document.querySelectorAll(selector)].map((element) => {
    element.scrollIntoView({block: "center"});
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {
      text: element.textContent.trim(), left: box.left, right: box.right, top: box.top,
      bottom: box.bottom, fontSize: parseFloat(style.fontSize), visible: style.visibility,
      display: style.display, cut: element.scrollWidth > element.clientWidth + 1,
    };
  });
  return {boxes, innerWidth, innerHeight,
          scrollWidth: document.documentElement.scrollWidth};
}"""

# A cell's label on a phone is drawn by CSS from data-label: read what is drawn.
LABELS = """() => [...document.querySelectorAll("table.cards td[data-label]")].map(
  (cell) => getComputedStyle(cell, "::before").content.replace(/^"|"$/g, ""))"""


@pytest.fixture
def demo(transactional_db):
    load_demo_file(DEMO_DIR / "nato-airspace.json")


def _all_inside(found, expected_names):
    assert found["scrollWidth"] <= found["innerWidth"], "the page scrolls sideways"
    names = {box["text"] for box in found["boxes"]}
    assert names == expected_names
    for box in found["boxes"]:
        name = box["text"]
        assert box["left"] >= 0 and box["right"] <= found["innerWidth"], (name, box)
        assert box["top"] >= 0 and box["bottom"] <= found["innerHeight"], (name, box)
        assert not box["cut"] and box["visible"] == "visible", name
        assert box["fontSize"] >= 11, (name, box["fontSize"])


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_across_compare_and_the_spread_fit_the_screen(
    live_server, browser_page, demo, width, scheme
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
    page.emulate_media(color_scheme=scheme)
    suffix = f"{width}{'' if scheme == 'light' else '-dark'}"

    page.goto(f"{live_server.url}/across/")
    _all_inside(page.evaluate(MEASURE, "table.across th[scope=row] a"), ACTORS)
    if width < 600:  # the debates named beside each stance, in full
        assert set(page.evaluate(LABELS)) == DEBATES
        _all_inside(
            page.evaluate(MEASURE, "table.across td"), {"+2", "+1", "0", "−1", "−2", "– no stance"}
        )
    else:
        _all_inside(page.evaluate(MEASURE, "table.across thead th > a:first-child"), DEBATES)
    page.screenshot(path=ARTIFACTS / f"across-{suffix}.png", full_page=True)

    # Ranked by the NATO debate through the form, as a reader does.
    page.select_option("#by", NATO)
    page.get_by_role("button", name="Rank").click()
    page.wait_for_url(f"**by={NATO}**")
    ranked = page.locator("table.across tbody th[scope=row] a").all_inner_texts()
    assert ranked[:3] == [
        "Allies bordering Russia",
        "Allies pushing for a more aggressive posture",
        "Donald Trump",
    ]  # fmt: skip  (the +2s, by name)
    assert ranked[9] == "Allies advising restraint"  # the one −1, after the nine above 0

    query = "&".join(f"actor={slug}" for slug in COMPARED)
    page.goto(f"{live_server.url}/compare/?{query}")
    names = {"Donald Trump", "Estonia", "France", "NATO", "United Kingdom"}
    _all_inside(page.evaluate(MEASURE, ".chosen li > a:not(.remove)"), names)
    _all_inside(page.evaluate(MEASURE, "table.compare th[scope=row] > a"), DEBATES)
    if width < 600:
        assert set(page.evaluate(LABELS)) == names | {"Gap"}
    page.screenshot(path=ARTIFACTS / f"compare-{suffix}.png", full_page=True)

    page.goto(f"{live_server.url}/debates/{NATO}/?as_of=2025-10-31")
    found = page.evaluate(MEASURE, "table.months th[scope=row] time")
    _all_inside(found, {"Sep 2025", "Oct 2025"})
    bars = page.evaluate(MEASURE, "table.months td.bar svg")
    assert all(box["right"] - box["left"] >= 60 for box in bars["boxes"]), bars
    page.locator("#distribution-heading").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=ARTIFACTS / f"spread-{suffix}.png")


@pytest.mark.parametrize("width", [1366, 390])
def test_many_debates_and_actors_scroll_inside_the_table_not_the_page(
    live_server, browser_page, transactional_db, width
):
    """Nine debates with long titles and five actors with long names: the page
    never scrolls sideways, and every actor's name stays on screen."""
    actors = [
        f.ActorFactory(slug=f"actor-{n}", name=f"Allies with a rather long name number {n}")
        for n in range(5)
    ]
    for n in range(9):
        debate = f.DebateFactory(slug=f"debate-{n}", title=f"A debate with a long title, {n}")
        for actor in actors:
            f.PositionFactory(debate=debate, actor=actor, stance=n % 5 - 2)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
    query = "&".join(f"actor={actor.slug}" for actor in actors)
    for path, selector in [
        ("/across/", "table.across th[scope=row] a"),
        (f"/compare/?{query}", ".chosen li > a:not(.remove)"),
    ]:
        page.goto(f"{live_server.url}{path}")
        _all_inside(page.evaluate(MEASURE, selector), {actor.name for actor in actors})
    page.goto(f"{live_server.url}/across/")
    page.screenshot(path=ARTIFACTS / f"across-many-{width}.png", full_page=True)
