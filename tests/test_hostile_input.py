"""Every public URL, fed hostile values in every parameter it reads, answers
without a server error: bad input is a 400 or an empty result, never a 500."""

import datetime
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from . import factories as f

# Raw query-string values, percent-encoded as a client would send them.
HOSTILE = [
    "%00", "a%00b", "%ED%A0%80", "%ED%BF%BF", "%FF%FE", "a" * 100_000, "%C3%A9" * 30_000,
    "-" * 50, "-" * 5000, quote("&|!():*" * 200), quote("!" * 1000), quote("(" * 500),
    quote("'\"\\;--"), quote("<script>alert(1)</script>"), quote('"' * 301), "or+" * 300,
    "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999",
    "-1", "0", "1e309", "NaN", "-inf", "99999-99-99", "0000-00-00", "9999-12-31",
    "0001-01-01", "2025-02-30", "",
]  # fmt: skip

PUBLIC_PAGES = {
    "/": [],
    "/debates/": [],
    "/debates/airspace/": ["as_of", "kind", "bloc", "stance", "attribution"],
    "/debates/airspace/feed/": [],
    "/embed/debates/airspace/": [],
    "/actors/": ["kind"],
    "/actors/estonia/": [],
    "/actors/estonia/feed/": [],
    "/actors/estonia/debates/airspace/": ["page"],
    "/compare/": ["a", "b", "actor"],
    "/across/": ["by", "order"],
    "/search/": ["q"],
    "/export/": [],
    "/export/positions.csv": [],
    "/export/positions.json": [],
    "/export/debates/airspace.csv": [],
    "/export/debates/airspace.json": [],
    "/export/popolo.json": [],
    "/sitemap.xml": ["p"],
}
PAGING = ["limit", "offset", "ordering", "format"]
API = {
    "/api/v1/": [],
    "/api/v1/schema/": [],
    "/api/v1/docs/": ["lang", "version"],
    "/api/v1/debates/": PAGING,
    "/api/v1/debates/airspace/": [],
    "/api/v1/proposals/": ["debate", "debate__slug", *PAGING],
    "/api/v1/actors/": ["kind", "country", *PAGING],
    "/api/v1/actors/estonia/": [],
    "/api/v1/positions/": [
        "debate", "actor", "proposal", "actor_kind", "stance", "stance_min", "stance_max",
        "stated_after", "stated_before", "status", "as_of", *PAGING,
    ],
    "/api/v1/evidence/": ["position", "debate", "actor", "attribution", *PAGING],
}  # fmt: skip
# Path segments a reader can type: slugs, export formats, API lookups.
PATHS = [
    "/debates/{}/", "/debates/{}/feed/", "/embed/debates/{}/", "/actors/{}/", "/actors/{}/feed/",
    "/actors/{}/debates/airspace/", "/actors/estonia/debates/{}/",
    "/export/debates/{}.csv", "/export/positions.{}", "/api/v1/debates/{}/",
    "/api/v1/actors/{}/", "/api/v1/positions/{}/", "/api/v1/evidence/{}/",
    "/api/v1/proposals/{}/",
]  # fmt: skip


# Each request commits on its own on PostgreSQL, as in production: there a
# failed statement inside one shared test transaction would fail every later
# request. SQLite has no such cascade, and the faster rollback suits it.
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def world():
    debate = f.DebateFactory(slug="airspace")
    estonia = f.CountryFactory(name="Estonia", slug="estonia")
    bloc = f.ActorFactory(kind="bloc", slug="nato")
    proposal = f.ProposalFactory(debate=debate, slug="drones")
    position = f.PositionFactory(debate=debate, actor=estonia, stated_on=datetime.date(2025, 10, 9))
    f.PositionFactory(debate=debate, actor=bloc, proposal=proposal, support="support")
    f.EvidenceFactory(position=position)


# Parameter names no page reads, which must not matter either.
UNKNOWN_NAMES = ["%00", "%ED%A0%80", "a" * 100_000, "-" * 50]


def requests():
    for path, names in {**PUBLIC_PAGES, **API}.items():
        for name in UNKNOWN_NAMES:
            yield f"{path}?{name}={name}"
        for value in HOSTILE:
            for name in names:
                yield f"{path}?{name}={value}"
        if len(names) > 1:
            yield path + "?" + "&".join(f"{name}={HOSTILE[7]}" for name in names)
    for template in PATHS:
        for value in HOSTILE:
            if value and len(value) < 10_000:
                yield template.format(value)


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_no_hostile_value_makes_any_public_url_fail(world):
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    failures = []
    for count, url in enumerate(requests()):
        # A new address for each request, so the API's rate limit never answers instead.
        address = f"10.{count // 65536}.{count // 256 % 256}.{count % 256}"
        status = client.get(url, REMOTE_ADDR=address).status_code
        if status >= 500:
            failures.append(f"{status} {url[:120]}")
    assert count > 1000
    assert not failures, "\n".join(failures)
