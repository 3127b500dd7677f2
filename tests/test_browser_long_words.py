"""Text typed without a break (a pasted address, a run of letters) wraps inside
the panel's pages instead of making them as wide as the text."""

from tracker.roles import PUBLISHER

from . import factories as f
from .conftest import ARTIFACTS, log_in
from .factories import UserFactory

UNBROKEN = "s" * 3000


def test_a_long_unbroken_summary_or_quote_wraps_on_the_panels_pages(
    live_server, browser_page, roles
):
    UserFactory(username="pat", role=PUBLISHER)
    draft = f.PositionFactory(draft=True, summary=UNBROKEN)
    f.EvidenceFactory(position=draft, quote=UNBROKEN)
    published = f.PositionFactory(summary=UNBROKEN)
    f.EvidenceFactory(position=published, quote=UNBROKEN)
    page, base = browser_page, live_server.url
    log_in(page, base, "pat")
    pages = {
        "publish": f"/admin/tracker/position/{draft.pk}/publish/",
        "published": f"/admin/tracker/position/{published.pk}/change/",
    }
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, address in pages.items():
            page.goto(base + address)
            page.screenshot(path=ARTIFACTS / f"long-words-{name}-{width}.png")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
