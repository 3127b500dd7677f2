"""The debate chart in a real browser, on a laptop and on a phone, in light and
dark mode: every actor on the chart, named in full, legible, inside the screen,
and no name on top of another. The demo debate's screenshots go to docs/screenshots/.
The snippet that embeds the chart and the stance-over-time chart are looked at too."""

import pytest

from tracker.demo import DEMO_DIR, load_demo_file

from .conftest import ARTIFACTS, SCREENSHOTS
from .feedserver import FeedServer, Route

NATO = "nato-response-to-russian-airspace-violations"
EASTERN_FLANK = "eastern-flank-rules-of-engagement"

# The demo's published stances on each debate as a whole, written out by hand.
EXPECTED = {
    NATO: {
        "Allies advising restraint": "−1",
        "Estonia": "+1",
        "France": "+1",
        "Matthew Whitaker": "+1",
        "NATO": "+1",
        "Poland": "+1",
        "United Kingdom": "+1",
        "Allies bordering Russia": "+2",
        "Allies pushing for a more aggressive posture": "+2",
        "Donald Trump": "+2",
    },
    EASTERN_FLANK: {
        "Allies requiring visual confirmation": "−2",
        "NATO": "0",
        "Allies allowing fire on radar data": "+2",
        "Donald Trump": "+2",
    },
}

# What the browser says about each label on the chart, and about the page.
MEASURE = """() => {
  const labels = [...document.querySelectorAll("figure.spectrum .spectrum-label")];
  return {
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    background: getComputedStyle(document.body).backgroundColor,
    labels: labels.map((label) => {
      label.scrollIntoView({block: "center"});
      const box = label.getBoundingClientRect();
      const dot = label.parentElement.querySelector(".spectrum-dot").getBoundingClientRect();
      const style = getComputedStyle(label);
      return {
        text: label.textContent,
        stance: label.closest(".spectrum-group").querySelector(".spectrum-head .badge").textContent,
        left: box.left, right: box.right, top: box.top, bottom: box.bottom,
        pageTop: box.top + window.scrollY, pageBottom: box.bottom + window.scrollY,
        dot: {left: dot.left, right: dot.right, top: dot.top + window.scrollY,
              bottom: dot.bottom + window.scrollY},
        fontSize: parseFloat(style.fontSize),
        color: style.color,
        visibility: style.visibility,
        opacity: parseFloat(style.opacity),
        scrollWidth: label.scrollWidth,
        clientWidth: label.clientWidth,
        overflow: style.textOverflow,
      };
    }),
  };
}"""


def _channels(css):
    return [float(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]


def _luminance(css):
    """WCAG relative luminance of an rgb() colour."""

    def linear(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(v) for v in _channels(css))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first, second):
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _overlap(a, b):
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def _page_box(label):
    return {k: label[k] for k in ("left", "right")} | {
        "top": label["pageTop"],
        "bottom": label["pageBottom"],
    }


@pytest.fixture
def demo(transactional_db):
    load_demo_file(DEMO_DIR / "nato-airspace.json")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_every_actor_is_on_the_chart_in_full(live_server, browser_page, demo, width, scheme):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900 if width > 1000 else 844})
    page.emulate_media(color_scheme=scheme)
    for slug, expected in EXPECTED.items():
        page.goto(f"{live_server.url}/debates/{slug}/")
        found = page.evaluate(MEASURE)
        assert found["scrollWidth"] <= found["innerWidth"], "the page scrolls sideways"
        labels = found["labels"]
        assert {label["text"]: label["stance"] for label in labels} == expected
        assert len(labels) == len(expected)
        for label in labels:
            name = label["text"]
            assert "…" not in name and label["overflow"] != "ellipsis", name
            assert label["scrollWidth"] <= label["clientWidth"], f"{name} is cut off"
            assert label["fontSize"] >= 11, f"{name} is {label['fontSize']} px"
            assert label["visibility"] == "visible" and label["opacity"] == 1, name
            assert label["left"] >= 0 and label["right"] <= found["innerWidth"], (name, label)
            assert label["top"] >= 0 and label["bottom"] <= found["innerHeight"], (name, label)
            assert _contrast(label["color"], found["background"]) >= 4.5, (name, scheme)
        boxes = [(label["text"], _page_box(label)) for label in labels]
        dots = [(label["text"], label["dot"]) for label in labels]
        for index, (name, box) in enumerate(boxes):
            for other, other_box in boxes[index + 1 :]:
                assert not _overlap(box, other_box), f"{name} overlaps {other}"
            for other, dot in dots:
                if other != name:
                    assert not _overlap(box, dot), f"{name} sits on {other}'s dot"
        # What a reader sees of the chart; the demo debate's are the README's.
        page.locator("#spectrum-heading").evaluate("el => el.scrollIntoView({block: 'start'})")
        folder, name = (SCREENSHOTS, "debate") if slug == NATO else (ARTIFACTS, "eastern-flank")
        suffix = "" if scheme == "light" else "-dark"
        page.screenshot(path=folder / f"{name}-{width}{suffix}.png")


def test_the_embed_snippet_shows_the_whole_chart_on_another_site(
    live_server, browser_page, demo, settings
):
    """A newsroom pastes the snippet into an article on its own site (a real
    server on 127.0.0.2): the chart shows whole, with no scrolling inside the
    frame, on a laptop and on phones; copied from a page as of a date, it shows
    the chart as of that date."""
    settings.TRACKER_SITE_URL = live_server.url
    page = browser_page
    cases = [("", EXPECTED[NATO]), ("?as_of=2025-09-30", {"Donald Trump": "+2"})]
    with FeedServer("127.0.0.2") as newsroom:
        for query, expected in cases:
            page.set_viewport_size({"width": 1366, "height": 900})
            page.goto(f"{live_server.url}/debates/{NATO}/{query}")
            snippet = page.locator(".embed-note code").inner_text()
            article = f"<!doctype html><title>News</title><h1>Allies argue</h1>{snippet}<p>More."
            newsroom.routes["/article"] = Route(
                body=article.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
            )
            for width in (1366, 700, 390, 320):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(newsroom.url("/article"))
                frame = page.locator("iframe").element_handle().content_frame()
                frame.wait_for_selector("figure.spectrum")
                found = frame.evaluate(EMBEDDED)
                assert dict(found["labels"]) == expected, (query, width)
                assert found["scrollHeight"] <= found["innerHeight"], (query, width, found)
                # Nor a tall blank band under it where the chart's columns sit side by side.
                if width >= 700:
                    blank = found["innerHeight"] - found["contentHeight"]
                    assert blank <= 160, (query, width, found)
                assert found["scrollWidth"] <= found["innerWidth"], (query, width, found)
                assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
                if not query and width == 390:
                    page.screenshot(path=ARTIFACTS / "embed-in-article-390.png", full_page=True)


EMBEDDED = """() => ({
  labels: [...document.querySelectorAll(".spectrum-label")].map((label) => [
    label.textContent, label.closest(".spectrum-group").querySelector(".badge").textContent]),
  scrollHeight: document.documentElement.scrollHeight,
  contentHeight: Math.ceil(document.querySelector("main").getBoundingClientRect().bottom),
  scrollWidth: document.documentElement.scrollWidth,
  innerHeight: window.innerHeight,
  innerWidth: window.innerWidth,
})"""


TIMELINE = """() => {
  const svg = [...document.querySelectorAll("figure.timeline svg")].find(
    (drawing) => drawing.getBoundingClientRect().width > 0);
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return {
    count: [...document.querySelectorAll("figure.timeline svg")].filter(
      (drawing) => drawing.getBoundingClientRect().width > 0).length,
    left: box.left, right: box.right, innerWidth: window.innerWidth,
    points: [...svg.querySelectorAll("circle")].map((circle) => {
      const dot = circle.getBoundingClientRect();
      return (dot.left + dot.width / 2 - box.left) / box.width;
    }),
    labels: [...svg.querySelectorAll("text")].map((text) => {
      const label = text.getBoundingClientRect();
      return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale,
              (label.left + label.width / 2 - box.left) / box.width];
    }),
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_a_change_of_stance_within_a_day_stands_above_that_date(
    live_server, browser_page, demo, width, scheme
):
    from django.utils import timezone

    from tracker.models import Actor, Debate, Position

    Position.objects.create(
        actor=Actor.objects.get(slug="france"),
        debate=Debate.objects.get(slug=NATO),
        stance=2,
        summary="Now backs firing on violating aircraft.",
        stated_on="2025-10-09",
        status="published",
        published_at=timezone.now(),
    )
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/actors/france/")
    found = page.evaluate(TIMELINE)
    assert found["count"] == 1, "one drawing of the chart is shown"
    assert found["left"] >= 0 and found["right"] <= found["innerWidth"]
    # Both positions of 9 Oct stand in the middle of the chart, above that one date.
    sizes = {text: size for text, size, _ in found["labels"]}
    middles = {text: middle for text, _, middle in found["labels"]}
    assert "Oct 2025" not in sizes
    first, second = found["points"]
    assert 0.4 < first < 0.6 and abs(first - second) < 0.001
    assert abs(middles["9 Oct 2025"] - first) < 0.01
    assert min(sizes.values()) >= 11, sizes
    suffix = "" if scheme == "light" else "-dark"
    page.locator("figure.timeline").screenshot(path=ARTIFACTS / f"timeline-{width}{suffix}.png")
