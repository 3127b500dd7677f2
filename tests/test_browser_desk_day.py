"""A whole day at the desk on the demo, in a real browser: an editor claims a flag
with the keyboard and accepts two actors with their own stances and quotes plus a
third created on the spot; a publisher publishes them in bulk through the
confirmation and retracts one; then the demo is loaded again, as `make run` does at
every start, and everything the desk did is still there."""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from tracker.models import Actor, Debate, Flag, Position

from . import factories as f
from .conftest import ARTIFACTS, log_in, new_actor_popup

NATO_DEBATE = "nato-response-to-russian-airspace-violations"
ARTICLE = (
    "<p>VILNIUS, Nov 3 (Example Wire) — Allies on the eastern flank want a firmer answer "
    "after Russian drones again crossed into their airspace, three NATO diplomats said.</p>"
    "<p>Lithuania is pushing for armed drones along its border and a stronger response. "
    "Finland urged restraint and a measured response. “We will not be provoked,” said "
    "Finland's defence minister.</p>"
    "<p>Kaja Kallas, the EU's foreign policy chief, said Europe would raise the cost for "
    "Moscow.</p>"
)


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_LOGINS_FILE = tmp_path / "demo-logins.json"
    call_command("seed_demo")
    logins = json.loads(settings.DEMO_LOGINS_FILE.read_text())
    debate = Debate.objects.get(slug=NATO_DEBATE)
    item = f.CoverageItemFactory(
        title="Eastern allies press for armed drones after new incursions",
        outlet=f.OutletFactory(name="Example Wire Desk"),
        content=ARTICLE,
        published_at=datetime(2025, 11, 3, 9, 0, tzinfo=UTC),
    )
    flag = f.FlagFactory(
        item=item, debate=debate, score=50, matched_terms=["drone*", "airspace"],
        suggested_stance=1, stance_reasons=[{"cue": "pushing for", "direction": 1}],
        matched_actors=Actor.objects.filter(slug__in=["lithuania", "finland", "russia"]),
    )  # fmt: skip
    return {"flag": flag, "logins": logins}


def row_of(page, name):
    """The accept screen's row index of an actor, by the name it shows."""
    for index in range(page.locator("tr[id^=row-]").count()):
        if name in page.inner_text(f"#row-{index}"):
            return index
    raise AssertionError(f"no row for {name}")


def take_a_step(page, base, position, link, reason=None):
    """Open a position, follow one of its publication links (Publish…, Retract…,
    Draft a correction…) and confirm, with a reason where one is asked."""
    page.goto(f"{base}/admin/tracker/position/{position.pk}/change/")
    with page.expect_navigation():
        page.click(f"text={link}")
    if reason:
        page.fill("#id_reason", reason)
    with page.expect_navigation():
        page.click("#content-main input[type=submit]")


def test_a_day_at_the_desk_survives_reloading_the_demo(live_server, browser_page, demo):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    flag, logins = demo["flag"], demo["logins"]

    # The editor opens the queue: the new story is on top; the keyboard claims it.
    log_in(page, base, "editor", logins["editor"]["password"])
    page.goto(base + "/admin/tracker/flag/")
    with page.expect_navigation():
        page.click("text=Eastern allies press for armed drones")
    with page.expect_navigation():
        page.keyboard.press("c")
    flag.refresh_from_db()
    assert (flag.status, flag.assignee.username) == ("claimed", "editor")
    with page.expect_navigation():
        page.keyboard.press("a")

    lithuania, finland = row_of(page, "Lithuania"), row_of(page, "Finland")
    russia = row_of(page, "Russia")
    # Nothing is ticked until the editor says whose position the article reports.
    assert not page.is_checked(f"#id_actors-{russia}-take")  # the debate's subject
    assert not page.is_checked(f"#id_actors-{lithuania}-take")
    page.check(f"#id_actors-{lithuania}-take")
    page.check(f"#id_actors-{finland}-take")
    page.select_option(f"#id_actors-{lithuania}-stance", "2")
    page.fill(f"#id_actors-{lithuania}-summary", "Lithuania wants armed drones on its border.")
    page.fill(
        f"#id_actors-{lithuania}-quote",
        "Lithuania is pushing for armed drones along its border and a stronger response.",
    )
    page.select_option(f"#id_actors-{finland}-stance", "-1")
    page.fill(f"#id_actors-{finland}-summary", "Finland urges restraint.")
    page.fill(
        f"#id_actors-{finland}-quote", "“We will not be provoked,” said Finland's defence minister."
    )
    page.select_option(f"#id_actors-{finland}-attribution", "on_record")

    # Kaja Kallas is not in the database: created on the spot, in an empty row.
    empty = page.locator("tr[id^=row-]").count() - 2
    popup = new_actor_popup(page, f"#add_id_actors-{empty}-actor", "official", "Kaja Kallas")
    with popup.expect_event("close"):
        popup.click("input[name=_save]")
    page.check(f"#id_actors-{empty}-take")
    page.select_option(f"#id_actors-{empty}-stance", "1")
    page.fill(f"#id_actors-{empty}-summary", "Kallas: Europe will raise the cost for Moscow.")
    page.fill(
        f"#id_actors-{empty}-quote", "Kaja Kallas said Europe would raise the cost for Moscow."
    )
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "Accepted: 3 draft positions logged" in page.inner_text("body")
    drafts = {
        p.actor.slug: p
        for p in Position.objects.filter(status="draft", source_flags=flag).select_related("actor")
    }
    assert set(drafts) == {"lithuania", "finland", "kaja-kallas"}
    assert (drafts["lithuania"].stance, drafts["finland"].stance) == (2, -1)
    assert drafts["finland"].evidence.get().quote.startswith("“We will not be provoked,”")

    # The publisher publishes the three in bulk, after the confirmation.
    log_in(page, base, "publisher", logins["publisher"]["password"])
    page.goto(base + "/admin/tracker/position/?status__exact=draft")
    for position in drafts.values():
        page.check(f"input[name=_selected_action][value='{position.pk}']")
    page.select_option("select[name=action]", "publish_selected")
    with page.expect_navigation():
        page.click("button[name=index]")
    confirmation = page.inner_text("#content")
    assert "Readers will see these 3 positions" in confirmation
    assert (
        Position.objects.filter(pk__in=[p.pk for p in drafts.values()], status="draft").count() == 3
    )
    page.screenshot(path=ARTIFACTS / "desk-day-confirm.png", full_page=True)
    with page.expect_navigation():
        page.click("#content-main input[type=submit]")
    assert "3 positions published." in page.inner_text("body")

    # …and retracts one, with a reason.
    take_a_step(
        page, base, drafts["finland"], "Retract…", "The minister spoke of another incident."
    )

    expected = {
        "lithuania": ("published", 2),
        "finland": ("retracted", -1),
        "kaja-kallas": ("published", 1),
    }
    states = {
        slug: (p.status, p.stance)
        for slug, p in (
            (p.actor.slug, p)
            for p in Position.objects.filter(source_flags=flag).select_related("actor")
        )
    }
    assert states == expected

    # A wrong summary is corrected: drafted by the editor, published by the publisher.
    lithuania_pk = drafts["lithuania"].pk
    log_in(page, base, "editor", logins["editor"]["password"])
    take_a_step(page, base, drafts["lithuania"], "Draft a correction…")
    page.fill("#id_summary", "Lithuania wants armed drones along its border with Belarus.")
    page.fill("#id_correction_note", "The border named was Belarus's, not Russia's.")
    with page.expect_navigation():
        page.click("input[name=_save]")
    correction = Position.objects.get(corrects_id=lithuania_pk)
    log_in(page, base, "publisher", logins["publisher"]["password"])
    take_a_step(page, base, correction, "Publish…")
    corrected = Position.objects.get(pk=lithuania_pk)
    assert corrected.summary == "Lithuania wants armed drones along its border with Belarus."
    assert corrected.correction_note == "The border named was Belarus's, not Russia's."
    assert not Position.objects.filter(corrects_id=lithuania_pk).exists()
    total = Position.objects.count()

    # `make run` loads the demo at every start: it must not fail nor undo the day.
    call_command("seed_demo")
    assert Position.objects.count() == total
    states_after = {
        p.actor.slug: (p.status, p.stance)
        for p in Position.objects.filter(source_flags=flag).select_related("actor")
    }
    assert states_after == expected
    assert Actor.objects.filter(slug="kaja-kallas").exists()
    assert Flag.objects.get(pk=flag.pk).status == "accepted"
    page.goto(f"{base}/debates/{NATO_DEBATE}/")
    public = page.inner_text("body")
    assert "Kaja Kallas" in public
    assert "Lithuania wants armed drones along its border with Belarus." in public
    assert (
        "corrected" in public.lower() and "The border named was Belarus's, not Russia's." in public
    )
