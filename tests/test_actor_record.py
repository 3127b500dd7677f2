"""What a reader of a good tracker expects: shifts told with both sides' quotes,
an actor's whole record, and officials out of step with their own country, on
the debate page, the actor pages and in the feeds."""

import datetime

import feedparser
import lxml.html
import pytest

from tracker.models import Membership

from . import factories as f


def day(n):
    return datetime.date(2025, 10, n)


def text_of(page, xpath):
    """The visible words of each element the XPath finds, whitespace collapsed."""
    return [" ".join(e.text_content().split()) for e in lxml.html.fromstring(page).xpath(xpath)]


def position_of(entry):
    """'position-15' from a feed entry's id, tag:host,2025:position-15."""
    return entry.id.rsplit(":", 1)[-1]


def says(page, words):
    return words in " ".join(lxml.html.fromstring(page).text_content().split())


@pytest.fixture
def world(db, debate):
    return build_world(debate)


def build_world(debate):
    """France firms up on Airspace and turns round on arming drones; one of its
    statements was retracted; its foreign minister urges restraint."""
    rules = f.DebateFactory(
        slug="rules", title="Rules of engagement", low_label="restrictive", high_label="permissive"
    )
    drones = f.ProposalFactory(debate=debate, title="Arm drones", slug="arm-drones", rung=2)
    france = f.CountryFactory(name="France", slug="france", country="FR")
    jean = f.ActorFactory(kind="official", name="Jean Example", slug="jean-example", country="FR")
    Membership.objects.create(member=jean, organization=france, role="Foreign minister")
    le_monde = f.OutletFactory(name="Le Monde")

    def said(actor, stance, on, summary, quote=None, attribution="on_record", **fields):
        position = f.PositionFactory(
            debate=fields.pop("debate", debate), actor=actor, stance=stance, stated_on=day(on),
            summary=summary, **fields,
        )  # fmt: skip
        if quote:
            f.EvidenceFactory(
                position=position, quote=quote, attribution=attribution,
                item=f.CoverageItemFactory(outlet=le_monde),
            )  # fmt: skip
        return position

    ids = {}
    ids["first"] = said(france, 1, 1, "Backs a firmer answer.", "We will answer firmly.")
    ids["drones-against"] = said(
        france, None, 1, "Against arming drones.", proposal=drones, support="oppose"
    )
    said(france, -1, 3, "Wants visual confirmation.", debate=rules)
    ids["retracted"] = said(
        france, 0, 5, "Wants talks first.", "Talks first.", status="retracted",
        retracted_at=datetime.datetime(2025, 10, 12, 9, tzinfo=datetime.UTC),
        retraction_reason="The quote was from another minister",
    )  # fmt: skip
    ids["jean"] = said(jean, -1, 8, "Urges restraint.", "Restraint serves us.")
    ids["firmer"] = said(
        france, 2, 10, "Wants armed drones.", "Paris wants the drones armed.",
        attribution="anonymous_officials",
    )  # fmt: skip
    ids["drones-for"] = said(
        france, None, 10, "Now for arming drones.", "Arm the drones.", proposal=drones,
        support="support",
    )  # fmt: skip
    ids["repeat"] = said(france, 2, 20, "Repeats the call for armed drones.", "Arm them.")
    f.PositionFactory(
        debate=debate, actor=france, stance=-2, stated_on=day(25), summary="DRAFT-ONLY",
        status="draft", published_at=None,
    )  # fmt: skip
    return {key: position.id for key, position in ids.items()}


FIRMED_UP = (
    "Firmed up: France moved from +1 to +2 on Airspace, one step towards “more aggressive”; "
    "evidence: on the record before, anonymous officials after."
)
TURNED = (
    "Full flop: France moved from “Opposes” to “Supports” on Arm drones; "
    "evidence: none published before, on the record after."
)


@pytest.mark.parametrize("url", ["/debates/airspace/", "/actors/france/"])
def test_shifts_are_told_with_both_sides_side_by_side(client, world, url):
    page = client.get(url).content.decode()
    assert text_of(page, "//*[@class='shift-told']") == [TURNED, FIRMED_UP]  # latest first
    shift = f"//*[@id='shift-{world['firmer']}']"
    [before] = text_of(page, shift + "//*[contains(@class, 'shift-before')]")
    [after] = text_of(page, shift + "//*[contains(@class, 'shift-after')]")
    assert before.startswith("Before · 1 Oct 2025 +1 leaning more aggressive Backs a firmer")
    assert "“We will answer firmly.”" in before and "Paris wants" not in before
    assert after.startswith("After · 10 Oct 2025 +2 strongly more aggressive Wants armed drones.")
    assert "“Paris wants the drones armed.”" in after
    assert "DRAFT-ONLY" not in page


def test_the_actor_page_says_where_the_actor_stands_now_and_since_when(client, world):
    page = client.get("/actors/france/").content.decode()
    assert text_of(page, "//*[@id='standing']//li") == [
        "Airspace: +2 strongly more aggressive, since 10 Oct 2025",
        "Airspace · Arm drones: Supports, since 10 Oct 2025",
        "Rules of engagement: −1 leaning restrictive, since 3 Oct 2025",
    ]


@pytest.mark.django_db
def test_an_actor_whose_every_position_was_retracted_says_so_above_its_record(client, debate):
    poland = f.CountryFactory(name="Poland", slug="poland", country="PL")
    f.PositionFactory(debate=debate, actor=poland, stated_on=day(3), retracted=True)
    page = client.get("/actors/poland/").content.decode()
    assert text_of(page, "//*[@id='standing']//p") == [
        "No stance holds now: every position published was retracted, as the record shows."
    ]


def test_the_record_lists_every_position_in_date_order_with_retractions_struck(client, world):
    page = client.get("/actors/france/").content.decode()
    airspace = text_of(page, "//*[@id='record']//*[@data-debate='airspace']//li")
    dates = text_of(page, "//*[@data-debate='airspace']//li/p[@class='record-when']/time")
    assert dates == [
        "1 Oct 2025", "1 Oct 2025", "5 Oct 2025", "10 Oct 2025", "10 Oct 2025", "20 Oct 2025",
    ]  # fmt: skip
    order = [next(i for i, e in enumerate(airspace) if words in e) for words in (
        "Backs a firmer answer.", "Against arming drones.", "Wants talks first.",
        "Wants armed drones.", "Now for arming drones.", "Repeats the call",
    )]  # fmt: skip
    assert order == sorted(order)
    assert "“We will answer firmly.”" in airspace[0] and "On the record" in airspace[0]
    assert airspace[1].startswith("1 Oct 2025 Arm drones: Opposes Against arming drones.")
    assert airspace[3].startswith("10 Oct 2025 · Firmed up +2 strongly more aggressive")
    assert airspace[4].startswith("10 Oct 2025 · Full flop Arm drones: Supports Now for")
    [struck] = text_of(page, "//*[@id='record']//del")
    assert struck.startswith("0 between conservative and more aggressive Wants talks first.")
    assert says(page, "Retracted 12 Oct 2025: The quote was from another minister")
    rules = text_of(page, "//*[@id='record']//*[@data-debate='rules']//li")
    assert len(rules) == 1
    assert rules[0].startswith("3 Oct 2025 −1 leaning restrictive Wants visual confirmation.")
    assert "DRAFT-ONLY" not in page


def test_an_official_out_of_step_with_their_country_is_shown_on_both_pages(client, world):
    divergence = "Jean Example diverges from France on Airspace: −1 vs +2"
    assert text_of(
        client.get("/actors/jean-example/").content.decode(), "//*[@id='diverges']//li"
    ) == [divergence]
    assert text_of(client.get("/actors/france/").content.decode(), "//*[@id='diverges']//li") == [
        divergence
    ]
    page = client.get("/debates/airspace/").content.decode()
    [row] = text_of(page, f"//tr[@id='position-{world['jean']}']//*[@class='diverges']")
    assert row == "Diverges from France: −1 vs +2"
    assert text_of(page, "//tr[contains(@id, 'position-')]//*[@class='diverges']") == [row]


def test_an_official_who_agrees_with_their_country_is_not_out_of_step(client, world, debate):
    jean = f.ActorFactory._meta.model.objects.get(slug="jean-example")
    f.PositionFactory(debate=debate, actor=jean, stance=2, stated_on=day(21))
    assert "diverges" not in client.get("/debates/airspace/").content.decode()
    assert 'id="diverges"' not in client.get("/actors/france/").content.decode()


def test_divergence_follows_the_as_of_date_on_the_debate_page(client, world):
    # On 9 October France still stood at +1 and its minister at −1.
    page = client.get("/debates/airspace/?as_of=2025-10-09").content.decode()
    assert text_of(page, "//*[@class='diverges']") == ["Diverges from France: −1 vs +1"]
    # On 2 October the minister had said nothing.
    assert "Diverges" not in client.get("/debates/airspace/?as_of=2025-10-02").content.decode()


def test_an_official_serving_a_country_through_a_post_diverges_from_it(client, world, debate):
    envoy = f.ActorFactory(kind="official", name="An Envoy", slug="envoy")  # no country code
    france = f.ActorFactory._meta.model.objects.get(slug="france")
    Membership.objects.create(member=envoy, organization=france, role="Envoy")
    f.PositionFactory(debate=debate, actor=envoy, stance=0, stated_on=day(11))
    page = client.get("/actors/envoy/").content.decode()
    assert text_of(page, "//*[@id='diverges']//li") == [
        "An Envoy diverges from France on Airspace: 0 vs +2"
    ]


@pytest.mark.parametrize("url", ["/debates/airspace/feed/", "/actors/france/feed/"])
def test_feeds_tell_shifts_and_quote_both_sides(client, world, url):
    parsed = feedparser.parse(client.get(url).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = {position_of(entry): entry for entry in parsed.entries}
    firmer = entries[f"position-{world['firmer']}"]
    assert firmer.title == FIRMED_UP
    assert firmer.summary.split("\n") == [
        "Wants armed drones.",
        "",
        "Before, 1 Oct 2025: +1 · leaning more aggressive. Backs a firmer answer.",
        "“We will answer firmly.” (On the record: Le Monde)",
        "",
        "After, 10 Oct 2025: +2 · strongly more aggressive. Wants armed drones.",
        "“Paris wants the drones armed.” (Anonymous officials: Le Monde)",
    ]
    turned = entries[f"position-{world['drones-for']}"]
    assert turned.title == TURNED
    assert "Before, 1 Oct 2025: Opposes. Against arming drones." in turned.summary
    assert entries[f"position-{world['repeat']}"].title.startswith("France on Airspace: +2")


def test_the_debate_page_says_since_when_each_stance_has_held(client, world):
    # France said +2 on 10 and again on 20 October: it has stood at +2 since the 10th.
    page = client.get("/debates/airspace/").content.decode()
    assert text_of(page, f"//tr[@id='position-{world['repeat']}']/td[2]") == [
        "10 Oct 2025 said again 20 Oct 2025"
    ]
    then = client.get("/debates/airspace/?as_of=2025-10-05").content.decode()
    assert text_of(then, f"//tr[@id='position-{world['first']}']/td[2]") == ["1 Oct 2025"]


def test_a_feed_tells_a_shift_whose_previous_position_is_older_than_the_feed(client, debate):
    # The feed holds the latest 50 positions; the shift's previous one is not among them.
    france = f.CountryFactory(name="France", slug="france", country="FR")
    f.PositionFactory(debate=debate, actor=france, stance=-1, stated_on=day(1))
    moved = f.PositionFactory(debate=debate, actor=france, stance=1, stated_on=day(5))
    f.PositionFactory.create_batch(49, actor=france, stance=0, stated_on=day(6))
    parsed = feedparser.parse(client.get("/actors/france/feed/").content)
    titles = {position_of(entry): entry.title for entry in parsed.entries}
    assert len(titles) == 50
    assert titles[f"position-{moved.id}"].startswith("Full flop: France moved from −1 to +1")


@pytest.fixture
def long_record(db, debate):
    """Estonia changes its mind every day for 25 days on Airspace, and speaks
    twice on another debate."""
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    for n in range(1, 26):
        position = f.PositionFactory(
            debate=debate, actor=estonia, stance=(-1, 1)[n % 2], stated_on=day(n),
            summary=f"Statement {n}.",
        )  # fmt: skip
        f.EvidenceFactory(position=position)
    rules = f.DebateFactory(slug="rules", title="Rules of engagement")
    for n in (3, 4):
        f.PositionFactory(debate=rules, actor=estonia, stance=n - 3, stated_on=day(n))
    return estonia


def test_a_long_record_shows_its_latest_positions_and_links_to_the_rest(client, long_record):
    page = client.get("/actors/estonia/").content.decode()
    summaries = text_of(page, "//*[@data-debate='airspace']//li/p[not(@class)]")
    assert summaries == [f"Statement {n}." for n in range(16, 26)]
    assert says(page, "The 10 latest of 25 positions on this debate.")
    [link] = lxml.html.fromstring(page).xpath(
        "//*[@data-debate='airspace']//a[text()=\"Estonia's whole record on it\"]/@href"
    )
    assert link == "/actors/estonia/debates/airspace/"
    assert len(text_of(page, "//*[@data-debate='rules']//li")) == 2
    assert not says(page, "latest of 2 positions")
    # Shifts: the 20 latest of 24 + 1 (the other debate's one).
    shifts = lxml.html.fromstring(page).xpath("//*[@id='shifts']//*[starts-with(@id, 'shift-')]")
    assert len(shifts) == 20
    assert says(page, "The 20 latest of 25 shifts.")
    ratings = lxml.html.fromstring(page).xpath("//*[@id='record']//a[@class='rating']/@href")
    told = {element.get("id") for element in shifts}
    assert ratings and all(href.removeprefix("#") in told for href in ratings)


def test_an_actors_whole_record_on_one_debate_has_a_page(client, long_record):
    response = client.get("/actors/estonia/debates/airspace/")
    assert response.status_code == 200
    page = response.content.decode()
    summaries = text_of(page, "//*[@id='record']//li/p[not(@class)]")
    assert summaries == [f"Statement {n}." for n in range(1, 26)]
    assert len(lxml.html.fromstring(page).xpath("//*[starts-with(@id, 'shift-')]")) == 24
    assert says(page, "Estonia on Airspace")
    assert "Statement" not in "".join(text_of(page, "//*[@data-debate='rules']"))
    for missing in (
        "/actors/estonia/debates/no-such-debate/",
        "/actors/nobody/debates/airspace/",
        "/actors/estonia/debates/airspace/?page=2",
        "/actors/estonia/debates/airspace/?page=x",
    ):
        assert client.get(missing).status_code == 404, missing
    f.DebateFactory(slug="silent")
    assert client.get("/actors/estonia/debates/silent/").status_code == 404


def test_the_sitemap_lists_the_whole_records_the_actor_page_cuts_short(client, long_record):
    body = client.get("/sitemap.xml").content.decode()
    assert "/actors/estonia/debates/airspace/</loc>" in body
    assert "/actors/estonia/debates/rules/" not in body  # its two positions are all shown


def test_an_on_the_record_quote_says_who_said_it_and_carries_the_desks_note(
    client, estonia, debate
):
    position = f.PositionFactory(debate=debate, actor=estonia, stance=1, stated_on=day(2))
    f.EvidenceFactory(
        position=position, attribution="on_record", speaker="Estonia's defence minister",
        quote="“We will answer firmly.”", note="Said at a press conference in Tallinn.",
    )  # fmt: skip
    page = client.get("/actors/estonia/").content.decode()
    [quote] = text_of(page, "//blockquote[contains(@class, 'on-record')]")
    assert quote.startswith("“We will answer firmly.” On the record · Estonia's defence minister")
    assert "Said at a press conference in Tallinn." in quote
    assert "““" not in page


def test_kosovo_reads_by_name_on_its_page(client, db):
    f.CountryFactory(name="Kosovo", slug="kosovo", country="XK")
    assert says(client.get("/actors/kosovo/").content.decode(), "Country · Kosovo")


def test_evidence_from_an_intranet_feed_names_its_source_without_a_dead_link(
    client, estonia, debate
):
    """An item fetched from a feed the desk allowed on its own network: readers
    cannot open its address, so the page names it without linking it."""
    wire = f.OutletFactory(name="Desk Wire")
    item = f.CoverageItemFactory(
        outlet=wire, url="http://10.1.2.3/story", canonical_url="http://10.1.2.3/story"
    )
    position = f.PositionFactory(debate=debate, actor=estonia, stated_on=day(2))
    f.EvidenceFactory(position=position, item=item)
    f.EvidenceFactory(position=position, item=item, attribution="anonymous_officials", quote="")
    page = client.get("/actors/estonia/").content.decode()
    assert "10.1.2.3" not in page
    assert says(page, "On the record · Desk Wire")


def test_evidence_from_an_intranet_feed_is_published_without_its_address(client, estonia, debate):
    """The API, the downloads and the data releases name the source as the
    pages do, and keep the desk's own network out of the open data."""
    item = f.CoverageItemFactory(
        outlet=f.OutletFactory(name="Desk Wire"), title="Inside story",
        url="http://wirehost/story", canonical_url="http://wirehost/story",
    )  # fmt: skip
    position = f.PositionFactory(debate=debate, actor=estonia, stated_on=day(2))
    f.EvidenceFactory(position=position, item=item)
    [evidence] = client.get("/api/v1/evidence/").json()["results"]
    assert evidence["source_url"] == "" and evidence["source_title"] == "Inside story"
    for export in ("/export/debates/airspace.csv", "/export/debates/airspace.json"):
        body = client.get(export).content.decode()
        assert "Inside story" in body and "wirehost" not in body, export
