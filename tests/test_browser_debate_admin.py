"""A debate's panel pages in Chromium on a laptop and a phone: its options
table and the watch-query preview stay within the screen."""

import pytest

from . import factories as f
from .conftest import ARTIFACTS, log_in, watch_for_violations

DESCRIPTION = (
    "Reduce the requirements on pilots patrolling the eastern border, e.g. allow firing on "
    "radar data rather than visual confirmation."
)


@pytest.mark.django_db(transaction=True)
def test_a_debates_options_and_the_query_preview_fit_the_screen(
    live_server, browser_page, committing_publisher
):
    debate = f.DebateFactory(slug="airspace", title="NATO's answer to Russian airspace violations")
    for rung in range(1, 6):
        f.ProposalFactory(debate=debate, rung=rung, description=DESCRIPTION)
    page = browser_page
    violations = []
    watch_for_violations(page, violations)
    log_in(page, live_server.url, committing_publisher.username)
    pages = {
        "debate": f"/admin/tracker/debate/{debate.pk}/change/",
        "preview": "/admin/tracker/debate/preview-query/?q=NATO%20AND%20drone*",
    }
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.screenshot(path=ARTIFACTS / f"debate-admin-{name}-{width}.png", full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (name, width, wide)
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_new_positions_stance_choices_take_the_chosen_debates_words(
    live_server, browser_page, committing_publisher
):
    f.DebateFactory(
        title="Airspace violations", low_label="conservative", high_label="more aggressive"
    )
    f.DebateFactory(title="Trade with Mercosur", low_label="protectionist", high_label="free trade")
    page = browser_page
    violations = []
    watch_for_violations(page, violations)
    log_in(page, live_server.url, committing_publisher.username)
    page.goto(live_server.url + "/admin/tracker/position/add/")

    def choices():
        return page.locator("#id_stance option").all_inner_texts()

    assert choices()[-1] == "+2 · strongly towards the high pole"
    for typed, title, strongest in [
        ("Airsp", "Airspace violations", "+2 · strongly more aggressive"),
        ("Merco", "Trade with Mercosur", "+2 · strongly free trade"),
    ]:
        page.click("#id_debate + .select2 .select2-selection")
        page.fill(".select2-search__field", typed)
        page.click(f".select2-results__option:has-text('{title}')")
        assert choices()[-1] == strongest
    assert choices()[1] == "−2 · strongly protectionist"
    page.select_option("#id_stance", "1")
    page.screenshot(path=ARTIFACTS / "position-add-stance-words.png", full_page=True)
    assert page.locator("#id_stance option:checked").inner_text() == "+1 · leaning free trade"
    assert violations == []
