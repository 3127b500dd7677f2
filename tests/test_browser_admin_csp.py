"""The editorial panel runs under a Content-Security-Policy that its own scripts
satisfy: a changelist, a change form with autocomplete, and a popup, in a real
browser, without one violation."""

import pytest

from tracker.models import Membership

from . import factories as f
from .conftest import ARTIFACTS, new_actor_popup, watch_for_violations
from .factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def desk(transactional_db):
    UserFactory(username="root", is_superuser=True)
    f.CountryFactory(name="Estonia", slug="estonia")
    f.ActorFactory(name="NATO", slug="nato", kind="bloc")


def test_the_panel_works_under_its_content_security_policy(live_server, browser_page, desk):
    page, base = browser_page, live_server.url
    violations = []
    watch_for_violations(page, violations)
    page.context.on("page", lambda popup: watch_for_violations(popup, violations))

    page.goto(base + "/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")

    response = page.goto(base + "/admin/tracker/actor/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    page.check("#action-toggle")  # the changelist's own script selects every row
    assert page.locator("input[name=_selected_action]:checked").count() == 2
    page.screenshot(path=ARTIFACTS / "admin-csp-changelist.png", full_page=True)

    page.goto(base + "/admin/tracker/membership/add/")
    # select2 autocomplete, fetched from the admin's autocomplete view.
    page.click("#id_member + .select2 .select2-selection")
    page.fill(".select2-search__field", "Esto")
    page.click(".select2-results__option:has-text('Estonia')")
    # The "add another" popup: a new organisation, saved and handed back.
    popup = new_actor_popup(page, "#add_id_organization", "organization", "European Union")
    assert popup.input_value("#id_slug") == "european-union"  # prepopulated by script
    popup.click("input[name=_save]")
    popup.wait_for_event("close")
    assert page.locator("#id_organization option:checked").inner_text() == "European Union"
    page.fill("#id_role", "Member state")
    page.screenshot(path=ARTIFACTS / "admin-csp-change-form.png", full_page=True)
    with page.expect_navigation():
        page.click("input[name=_save]")
    membership = Membership.objects.get()
    assert (membership.member.slug, membership.organization.slug) == ("estonia", "european-union")
    assert violations == []
