"""An editor at the review screen in a real browser, with the keyboard: open the
queue, open a flag, claim it (c), next (j), back (k), dismiss (d) with a reason.
Screenshots of the queue (laptop and phone) and of the review screen go to
docs/screenshots/."""

import datetime

import pytest

from tracker.models import Flag
from tracker.roles import EDITOR

from . import factories as f
from .conftest import ARTIFACTS, SCREENSHOTS, log_in
from .factories import UserFactory

WHEN = datetime.datetime(2025, 10, 9, 8, 30, tzinfo=datetime.UTC)


@pytest.fixture
def queue(roles):
    UserFactory(username="eddie", role=EDITOR)
    russia = f.ActorFactory(slug="russia", name="Russia", aliases=["Kremlin", "Moscow"])
    nato = f.ActorFactory(slug="nato", name="NATO")
    putin = f.ActorFactory(slug="vladimir-putin", name="Vladimir Putin", aliases=["Putin"])
    debate = f.DebateFactory(slug="airspace", title="NATO's answer to Russian airspace violations")
    wire = f.OutletFactory(name="Example Wire")
    stories = [
        (
            9,
            "Allies weigh armed drones after Kremlin incursions over the eastern flank",
            "<p>WASHINGTON (Wire) — NATO allies are discussing arming surveillance drones and "
            "loosening restrictions on when pilots may open ﬁre, after Russian drones crossed "
            "into Polish and Estonian airspace, the Financial Times reported, citing four NATO "
            "officials.</p><p>Some capitals urged restraint. Vladimir Putin’s spokesman said "
            "Moscow would answer any “provocation”.</p>",
        ),
        (
            6,
            "Estonia asks for a tougher response to airspace violations",
            "<p>TALLINN (Wire) — Estonia pushed for a stronger response after three Russian jets "
            "spent twelve minutes in its airspace, its foreign minister told NATO.</p>",
        ),
        (
            3,
            "Berlin urges calm as allies debate drones",
            "<p>Germany urged calm heads and a measured response, warning of the risk of "
            "confrontation with Russia.</p>",
        ),
    ]
    flags = []
    for score, title, summary in stories:
        item = f.CoverageItemFactory(
            title=title, summary=summary, outlet=wire, published_at=WHEN,
            url=f"https://wire.example/{score}",
        )  # fmt: skip
        for n in range(score // 3):
            f.CoverageItemFactory(
                title=title, outlet=f.OutletFactory(name=f"Syndicate {score}-{n}"),
                duplicate_of=item, published_at=WHEN,
            )  # fmt: skip
        flag = f.FlagFactory(
            item=item, debate=debate, score=score,
            matched_terms=["NATO", "drone*", "airspace", "fire*", "@russia"],
            suggested_stance=1 if score > 5 else -1,
            stance_reasons=[{"cue": "push for", "direction": 1}, {"cue": "restraint", "direction": -1}],
        )  # fmt: skip
        flag.matched_actors.set([russia, nato, putin])
        flags.append(flag)
    return flags


def test_an_editor_reviews_the_queue_with_the_keyboard(live_server, browser_page, queue):
    first, second, _ = queue
    page, base = browser_page, live_server.url
    log_in(page, base, "eddie")
    SCREENSHOTS.mkdir(exist_ok=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(base + "/admin/tracker/flag/")
    page.screenshot(path=SCREENSHOTS / "queue-1366.png", full_page=True)
    headline = page.locator("#result_list .field-coverage").first
    table = page.locator("#result_list").bounding_box()
    assert headline.bounding_box()["width"] > 0.4 * table["width"]  # the headline has the room
    container = page.locator("#changelist").bounding_box()
    assert table["x"] + table["width"] <= container["x"] + container["width"] + 1

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/admin/tracker/flag/")
    page.screenshot(path=SCREENSHOTS / "queue-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(base + "/admin/tracker/flag/")
    with page.expect_navigation():
        page.click("text=Allies weigh armed drones")
    assert page.locator(".review-text mark", has_text="ﬁre").count() == 1
    assert page.locator(".review-text mark.actor", has_text="Vladimir Putin").count() == 1
    page.screenshot(path=SCREENSHOTS / "review.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=ARTIFACTS / "review-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 900})

    with page.expect_navigation():
        page.keyboard.press("c")
    assert "Claimed" in page.inner_text(".messagelist")
    assert Flag.objects.get(pk=first.pk).assignee.username == "eddie"

    with page.expect_navigation():
        page.keyboard.press("j")
    assert "Estonia asks for a tougher response" in page.inner_text("h1")
    with page.expect_navigation():
        page.keyboard.press("k")
    assert "Allies weigh armed drones" in page.inner_text("h1")

    with page.expect_navigation():
        page.keyboard.press("j")
    page.keyboard.press("d")
    assert page.evaluate("document.activeElement.id") == "id_reason"
    page.keyboard.type("just a desk call, no kick")  # j, k, c, a, d typed here are text
    assert "Estonia asks" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("#dismiss-form button[type=submit]")
    dismissed = Flag.objects.get(pk=second.pk)
    assert (dismissed.status, dismissed.note) == (
        "dismissed",
        "just a desk call, no kick",
    )
    assert "Berlin urges calm" in page.inner_text("h1")  # on to the next flag
