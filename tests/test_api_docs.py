"""The API's documentation page: Swagger UI from our own /static/, under a
Content-Security-Policy that allows no inline script or style, in a real browser."""

import re

import pytest

from . import factories as f
from .conftest import ARTIFACTS, watch_for_violations


def test_the_docs_page_loads_nothing_from_elsewhere_and_nothing_inline(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "connect-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    html = response.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in addresses
    assert "/static/api/docs.js" in addresses
    assert all(a.startswith(("/", "#")) for a in addresses), addresses
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    # The page sets no cookie: the public site has none.
    assert not response.cookies


def test_the_api_root_names_its_docs_and_schema(client, db):
    root = client.get("/api/v1/").json()
    assert root["docs"].endswith("/api/v1/docs/")
    assert root["schema"].endswith("/api/v1/schema/")
    assert root["positions"].endswith("/api/v1/positions/")


def test_the_open_data_page_links_the_docs(client, db):
    html = client.get("/export/").content.decode()
    assert 'href="/api/v1/docs/"' in html


@pytest.fixture
def published(transactional_db):
    debate = f.DebateFactory(slug="airspace")
    f.PositionFactory(debate=debate, actor=f.CountryFactory(slug="estonia"), summary="FIRM")


@pytest.mark.parametrize(("width", "height", "scheme"), [(1366, 900, "light"), (390, 844, "dark")])
def test_the_docs_render_every_operation_without_a_policy_violation(
    live_server, browser_page, published, width, height, scheme
):
    page = browser_page
    violations = []
    watch_for_violations(page, violations)
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + "/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    page.screenshot(path=ARTIFACTS / f"api-docs-{width}-top.png")
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert set(operations) == {
        "/api/v1/actors/", "/api/v1/actors/{slug}/", "/api/v1/debates/",
        "/api/v1/debates/{slug}/", "/api/v1/evidence/", "/api/v1/evidence/{id}/",
        "/api/v1/positions/", "/api/v1/positions/{id}/", "/api/v1/proposals/",
        "/api/v1/proposals/{id}/", "/api/v1/releases/", "/api/v1/releases/{number}/",
        "/api/v1/shifts/",
    }  # fmt: skip
    assert page.locator(".info .title").inner_text().startswith("Policy Debate Tracker API")
    assert page.evaluate("document.documentElement.classList.contains('dark-mode')") == (
        scheme == "dark"
    )

    # A reader opens the positions list and reads its filters.
    page.locator("#operations-positions-positions_list .opblock-summary-control").click()
    parameters = page.locator("#operations-positions-positions_list .parameter__name")
    parameters.first.wait_for()
    names = {name.split()[0] for name in parameters.all_inner_texts()}
    assert {"as_of", "debate", "actor", "proposal", "limit", "offset"} <= names
    page.screenshot(path=ARTIFACTS / f"api-docs-{width}.png", full_page=True)
    page.locator("#operations-positions-positions_list").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"api-docs-{width}-positions.png")

    # Trying a request runs it against the API itself, which the policy allows.
    page.locator("#operations-positions-positions_list .try-out__btn").click()
    page.locator("#operations-positions-positions_list input[placeholder='debate']").fill(
        "airspace"
    )
    page.locator("#operations-positions-positions_list .execute").click()
    body = page.locator("#operations-positions-positions_list .live-responses-table .microlight")
    body.first.wait_for()
    assert '"FIRM"' in body.first.inner_text()
    page.screenshot(path=ARTIFACTS / f"api-docs-{width}-tried.png")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The page is one of the site's: its masthead search still goes to the search page.
    page.fill("#site-search", "estonia")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search/?q=estonia")
    assert violations == []


def test_the_schema_documents_the_errors_every_endpoint_may_answer(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operations = [
        (path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get"
    ]
    assert len(operations) >= 10
    for path, operation in operations:
        responses = operation["responses"]
        assert {"200", "400", "429"} <= set(responses), path
        if "{" in path:
            assert "404" in responses, path
    error = schema["components"]["schemas"]["Error"]
    assert error["type"] == "object"
