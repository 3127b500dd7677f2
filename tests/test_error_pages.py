"""What a reader meets at an address that is not there, or when something
breaks: the site's own pages (the API's own JSON), never Django's bare ones;
and what crawlers are told."""

import pytest
from django.test import RequestFactory

from tracker import views

from .pages import text


@pytest.mark.django_db
def test_an_unknown_page_is_a_404_in_the_sites_own_look(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = parse_any(response)
    assert text(page.xpath("//h1")[0]) == "Page not found"
    assert page.xpath("//header[@class='masthead']//a[@class='brand']")  # the site's header
    assert page.xpath("//a[@href='/debates/']")  # a way on


@pytest.mark.django_db
def test_an_unknown_debate_is_a_404_in_the_sites_own_look(client):
    response = client.get("/debates/no-such-debate/")
    assert response.status_code == 404
    assert text(parse_any(response).xpath("//h1")[0]) == "Page not found"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/no-such-list/", "/api/v1/positions/999999/"])
def test_an_unknown_api_address_answers_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_a_server_error_is_the_sites_page_or_the_apis_json():
    factory = RequestFactory()
    page = views.server_error(factory.get("/debates/"))
    assert page.status_code == 500
    body = page.content.decode()
    assert "Something went wrong" in body and "/static/public/site.css" in body
    api = views.server_error(factory.get("/api/v1/positions/"))
    assert api.status_code == 500
    assert api["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_the_panel_and_alerts_and_points_at_the_sitemap(
    client, settings
):
    settings.TRACKER_SITE_URL = "https://tracker.example.org"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /alerts/",
        "Sitemap: https://tracker.example.org/sitemap.xml",
    ]


def parse_any(response):
    import lxml.html

    return lxml.html.fromstring(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/", "/debates/", "/export/positions.csv", "/sitemap.xml", "/robots.txt",
        "/alerts/check-inbox/", "/data/releases/1/positions.csv",
    ],
)  # fmt: skip
def test_public_pages_are_read_only_and_say_so_to_other_methods(path, publisher):
    from django.test import Client

    from tracker.releases import cut_release

    cut_release(publisher)
    client = Client(enforce_csrf_checks=True)  # as a browser is: not the CSRF page
    for method in ("post", "put", "delete", "patch", "trace"):
        response = client.generic(method.upper(), path)
        assert response.status_code == 405, (method, response.status_code)
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert "Cache-Control" not in response or "public" not in response["Cache-Control"]
    options = client.options(path)
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"
    assert options.content == b""
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200
