"""The public site: every page, drafts never shown, as-of dates, filters,
security headers, and query counts that do not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracker.models import Membership

from . import factories as f

DAY = datetime.date(2025, 10, 9)


def published(**fields):
    return f.PositionFactory(**fields)


def draft(**fields):
    return f.PositionFactory(draft=True, **fields)


def later(days):
    return DAY + datetime.timedelta(days=days)


def stances(response):
    """The names and summaries of the debate page's current stances, from its context."""
    return [(p.actor.name, p.summary) for p in response.context["page"].stances]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/debates/", "/debates/airspace/", "/actors/", "/actors/estonia/", "/compare/",
     "/compare/?a=estonia&b=estonia", "/search/?q=estonia", "/embed/debates/airspace/"],
)  # fmt: skip
def test_every_page_answers(client, debate, estonia, url):
    published(debate=debate, actor=estonia, stance=1)
    response = client.get(url)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_unknown_and_draft_debates_are_not_found(client, debate):
    f.DebateFactory(slug="secret", status="draft")
    assert client.get("/debates/secret/").status_code == 404
    assert client.get("/embed/debates/secret/").status_code == 404
    assert client.get("/debates/nope/").status_code == 404
    assert client.get("/actors/nope/").status_code == 404


@pytest.mark.django_db
def test_drafts_never_appear_anywhere(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=-1, summary="PUBLISHED-SUMMARY", stated_on=DAY)
    draft(debate=debate, actor=estonia, stance=2, summary="DRAFT-SUMMARY", stated_on=later(3))
    hidden = f.DebateFactory(slug="hidden", title="HIDDEN-DEBATE", status="draft")
    published(debate=hidden, actor=estonia, summary="IN-A-DRAFT-DEBATE")
    for url in ["/", "/debates/", "/debates/airspace/", "/actors/estonia/", "/search/?q=SUMMARY",
                "/search/?q=HIDDEN", "/compare/?a=estonia&b=estonia", "/embed/debates/airspace/"]:  # fmt: skip
        page = client.get(url).content.decode()
        assert "DRAFT-SUMMARY" not in page, url
        assert "HIDDEN-DEBATE" not in page and "IN-A-DRAFT-DEBATE" not in page, url
    assert "PUBLISHED-SUMMARY" in client.get("/debates/airspace/").content.decode()


@pytest.mark.django_db
def test_retracted_positions_show_as_retracted_not_as_current(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=-1, summary="Still stands", stated_on=DAY)
    published(
        debate=debate, actor=estonia, stance=2, summary="Wrongly attributed", status="retracted",
        stated_on=later(1), retracted_at=timezone.now(),
        retraction_reason="The quote was from another official",
    )  # fmt: skip
    page = client.get("/debates/airspace/").content.decode()
    assert "<del>Estonia: Wrongly attributed</del>" in page
    assert "The quote was from another official" in page
    assert "leaning conservative" in page


@pytest.mark.django_db
def test_as_of_shows_the_debate_as_it_stood(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=-1, summary="EARLY", stated_on=DAY)
    published(debate=debate, actor=estonia, stance=2, summary="LATER", stated_on=later(30))
    now = client.get("/debates/airspace/")
    then = client.get("/debates/airspace/?as_of=2025-10-20")
    before = client.get("/debates/airspace/?as_of=2025-01-01")
    assert stances(now) == [("Estonia", "LATER")]
    assert stances(then) == [("Estonia", "EARLY")]
    assert stances(before) == []
    # Now, the earlier stance is only the before side of the shift.
    assert now.content.decode().index("EARLY") > now.content.decode().index('id="shifts-heading"')
    assert "LATER" not in then.content.decode()
    assert "As it stood on" in then.content.decode()
    assert "No published positions as of this date" in before.content.decode()


@pytest.mark.django_db
def test_as_of_lists_only_retractions_of_what_was_stated_by_then(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=-1, summary="Stands", stated_on=DAY)
    for summary, day in [("Early slip", later(2)), ("Late slip", later(40))]:
        published(
            debate=debate, actor=estonia, stance=2, summary=summary, status="retracted",
            stated_on=day, retracted_at=timezone.now(), retraction_reason="Misquoted",
        )  # fmt: skip
    then = client.get("/debates/airspace/?as_of=2025-10-20").content.decode()
    now = client.get("/debates/airspace/").content.decode()
    assert "<del>Estonia: Early slip</del>" in then
    assert "Late slip" not in then
    assert "<del>Estonia: Early slip</del>" in now and "<del>Estonia: Late slip</del>" in now


@pytest.mark.django_db
def test_the_downloads_say_they_hold_the_whole_record_when_the_page_shows_less(
    client, debate, estonia
):
    published(debate=debate, actor=estonia, stance=-1, stated_on=DAY)
    whole = "(all dates and actors, not only those shown here)"
    assert whole not in client.get("/debates/airspace/").content.decode()
    assert whole in client.get("/debates/airspace/?as_of=2025-10-20").content.decode()
    assert whole in client.get("/debates/airspace/?kind=country").content.decode()


@pytest.mark.django_db
def test_a_date_ahead_of_today_says_that_today_is_shown(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=2, summary="TODAY", stated_on=DAY)
    ahead = timezone.localdate() + datetime.timedelta(days=400)
    response = client.get(f"/debates/airspace/?as_of={ahead.isoformat()}")
    page = response.content.decode()
    assert stances(response) == [("Estonia", "TODAY")]
    assert "Nothing is known ahead of time" in page
    assert f"{ahead.day} {ahead:%B %Y}" in page
    assert "As it stood on" not in page
    assert "Nothing is known ahead of time" not in client.get("/debates/airspace/").content.decode()


@pytest.mark.django_db
def test_a_bad_as_of_date_is_reported_not_crashed(client, debate, estonia):
    published(debate=debate, actor=estonia)
    response = client.get("/debates/airspace/?as_of=not-a-date&stance=7")
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


@pytest.mark.django_db
def test_filters_by_kind_bloc_stance_and_attribution(client, debate, estonia):
    bloc = f.ActorFactory(kind="bloc", name="Frontline", slug="frontline")
    official = f.ActorFactory(kind="official", name="Minister", slug="minister", country="EE")
    Membership.objects.create(member=estonia, organization=bloc)
    e = published(debate=debate, actor=estonia, stance=2)
    f.EvidenceFactory(position=e, attribution="anonymous_officials", source_count=2)
    m = published(debate=debate, actor=official, stance=-1)
    f.EvidenceFactory(position=m, attribution="on_record")

    def names(query):
        return {name for name, _ in stances(client.get(f"/debates/airspace/?{query}"))}

    assert names("") == {"Estonia", "Minister"}
    assert names("kind=country") == {"Estonia"}
    assert names("bloc=frontline") == {"Estonia"}
    assert names("stance=-1") == {"Minister"}
    assert names("attribution=on_record") == {"Minister"}
    assert names("stance=2&kind=official") == set()


@pytest.mark.django_db
def test_a_stance_filter_applies_to_the_current_stance(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=2, stated_on=DAY)
    published(debate=debate, actor=estonia, stance=-1, stated_on=later(5))
    assert stances(client.get("/debates/airspace/?stance=2")) == []


@pytest.mark.django_db
def test_the_debate_page_shows_the_spectrum_matrix_shifts_blocs_and_evidence(
    client, debate, estonia
):
    drones = f.ProposalFactory(debate=debate, title="Arm drones", rung=2)
    f.ProposalFactory(debate=debate, title="Exercises", rung=1)
    bloc = f.ActorFactory(kind="bloc", name="Frontline", slug="frontline")
    Membership.objects.create(member=estonia, organization=bloc)
    published(debate=debate, actor=estonia, stance=-1, stated_on=DAY)
    now = published(debate=debate, actor=estonia, stance=1, stated_on=later(2))
    published(debate=debate, actor=estonia, proposal=drones, support="support", stance=2)
    ft = f.OutletFactory(name="Financial Times")
    item = f.CoverageItemFactory(outlet=f.OutletFactory(name="Example Wire"), title="Story")
    f.EvidenceFactory(
        position=now, item=item, attribution="anonymous_officials", source_count=4,
        source_affiliation="NATO officials", cited_outlet=ft, quote="They want more",
    )  # fmt: skip
    page = client.get("/debates/airspace/").content.decode()
    assert '<figure class="spectrum">' in page
    assert 'class="spectrum-label" href="/actors/estonia/">Estonia</a>' in page  # named in full
    assert page.index("Exercises") < page.index("Arm drones")  # ordered by rung
    assert "Supports" in page
    assert 'from <span class="badge s1">−1</span> to <span class="badge s3">+1</span>' in page
    assert "Example Wire, citing Financial Times, citing four NATO officials" in page
    assert "not on record" in page
    # Named as the evidence filter names it, so a reader who filters sees the word.
    assert (
        '<span class="smallcaps">Anonymous officials</span> · Example Wire, citing Financial Times'
        in page
    )
    assert 'value="anonymous_officials">Anonymous officials</option>' in page
    assert "1 independent outlet" in page
    assert ">Frontline</a></th><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td>" in page


@pytest.mark.django_db
def test_the_actor_page_shows_memberships_timeline_and_divergence(client, debate, estonia):
    official = f.ActorFactory(kind="official", name="Kaja Example", slug="kaja", country="EE")
    Membership.objects.create(member=official, organization=estonia, role="Prime minister")
    published(debate=debate, actor=estonia, stance=1, stated_on=DAY)
    published(debate=debate, actor=official, stance=-1, stated_on=DAY)
    published(debate=debate, actor=official, stance=2, stated_on=later(9))
    page = client.get("/actors/kaja/").content.decode()
    assert "Prime minister" in page
    assert "Stance over time" in page and '<path class="trace"' in page
    assert "9 Oct 2025 −1, 18 Oct 2025 +2" in page
    assert "Out of step" in page
    country_page = client.get("/actors/estonia/").content.decode()
    assert "Out of step" in country_page and "Kaja Example" in country_page


@pytest.mark.django_db
def test_compare_lines_up_shared_debates(client, debate, estonia):
    other = f.CountryFactory(name="Poland", slug="poland", country="PL")
    published(debate=debate, actor=estonia, stance=1)
    published(debate=debate, actor=other, stance=-2)
    published(actor=other, stance=0)  # a debate Estonia has no position on
    response = client.get("/compare/?a=estonia&b=poland")
    shared = [
        (d.slug, p, [side.stance for _, side in sides])
        for d, p, sides, _ in response.context["comparison"].rows
    ]
    assert shared == [("airspace", None, [1, -2])]
    page = response.content.decode()
    assert page.count("<tr>") == 2  # header + one shared debate
    assert "badge s3" in page and "badge s0" in page
    assert "No actor called" in client.get("/compare/?a=estonia&b=nobody").content.decode()


@pytest.mark.django_db
def test_search_finds_debates_actors_options_and_positions(client, debate, estonia):
    f.ProposalFactory(debate=debate, title="Arm surveillance drones")
    published(debate=debate, actor=estonia, summary="Wants armed drones on the border")
    russia = f.ActorFactory(name="Russia", slug="russia", aliases=["Kremlin"])
    found = client.get("/search/?q=drones").context
    assert [p.title for p in found["proposals"]] == ["Arm surveillance drones"]
    assert [p.summary for p in found["positions"]] == ["Wants armed drones on the border"]
    assert client.get("/search/?q=kremlin").context["actors"] == [russia]
    nothing = client.get("/search/?q=zzzz")
    kinds = ("debates", "actors", "proposals", "positions")
    assert [nothing.context[kind] for kind in kinds] == [[], [], [], []]
    assert russia.name not in nothing.content.decode()


@pytest.mark.django_db
def test_feed_and_editor_text_is_escaped(client, debate):
    evil = f.ActorFactory(name="<script>alert(1)</script>", slug="evil")
    position = published(debate=debate, actor=evil, summary="<img src=x onerror=alert(2)>")
    f.EvidenceFactory(position=position, quote="<b onmouseover=alert(3)>x</b>")
    for url in (
        "/debates/airspace/",
        "/actors/evil/",
        "/embed/debates/airspace/",
        "/search/?q=alert",
    ):
        page = client.get(url).content.decode()
        assert (
            "<script>alert" not in page
            and "<img src=x" not in page
            and "<b onmouseover" not in page
        ), url


HOSTILE = "<script>\"Tom\" & 'Jerry'</script>"
HOSTILE_PRINTED = "&lt;script&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/script&gt;"


@pytest.mark.django_db
def test_hostile_names_quotes_and_summaries_are_printed_escaped(client, debate):
    """Every place the debate and actor pages print an editor's or a feed's text
    — spectrum, stance table, shifts told and their sides — prints it escaped."""
    actor = f.ActorFactory(name=HOSTILE, slug="hostile")
    before = published(debate=debate, actor=actor, stance=-1, summary="B " + HOSTILE)
    after = published(
        debate=debate, actor=actor, stance=2, summary="A " + HOSTILE, stated_on=later(3)
    )
    f.EvidenceFactory(position=before, quote="Q1 " + HOSTILE)
    f.EvidenceFactory(position=after, quote="Q2 " + HOSTILE)
    debate_page = client.get("/debates/airspace/").content.decode()
    actor_page = client.get("/actors/hostile/").content.decode()
    for page in (debate_page, actor_page):
        assert "<script>" not in page
        assert "B " + HOSTILE_PRINTED in page  # the earlier side of the shift
        assert "Q1 " + HOSTILE_PRINTED in page
    # The name in the spectrum, the stance table and the shift told.
    assert debate_page.count(f">{HOSTILE_PRINTED}</a>") == 3
    # The latest summary and quote in the stance table and the later side of the shift.
    assert debate_page.count("A " + HOSTILE_PRINTED) == 2
    assert debate_page.count("Q2 " + HOSTILE_PRINTED) == 2


@pytest.mark.django_db
def test_security_headers_and_framing(client, debate):
    page = client.get("/debates/airspace/")
    assert "script-src 'none'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    # Rendered, then from the page cache: both may be framed by any site.
    for _ in range(2):
        embed = client.get("/embed/debates/airspace/")
        assert "frame-ancestors *" in embed["Content-Security-Policy"]
        assert "X-Frame-Options" not in embed
    assert client.get("/debates/airspace/")["X-Frame-Options"] == "DENY"  # cached too


def _populate(debate, count):
    proposals = [f.ProposalFactory(debate=debate, rung=n) for n in range(3)]
    bloc = f.ActorFactory(kind="bloc", slug=f"bloc-{count}")
    for n in range(count):
        actor = f.CountryFactory(slug=f"c{count}-{n}", name=f"Country {count}-{n}")
        Membership.objects.create(member=actor, organization=bloc)
        first = published(debate=debate, actor=actor, stance=-1, stated_on=DAY)
        latest = published(debate=debate, actor=actor, stance=n % 5 - 2, stated_on=later(1))
        f.EvidenceFactory(position=latest)
        f.EvidenceFactory(position=first)
        published(
            debate=debate, actor=actor, proposal=proposals[n % 3], support="support", stance=1
        )
    return actor


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_actors(client):
    small, large = f.DebateFactory(slug="small"), f.DebateFactory(slug="large")
    small_actor, large_actor = _populate(small, 20), _populate(large, 200)
    for template in (
        "/debates/{}/", "/debates/{}/?kind=country&stance=1", "/debates/{}/?as_of=2025-10-09",
        "/embed/debates/{}/", "/debates/{}/feed/", "/export/debates/{}.json",
        "/export/debates/{}.csv",
    ):  # fmt: skip
        assert queries_for(client, template.format("small")) == queries_for(
            client, template.format("large")
        ), template
    pair_small = f"/compare/?a={small_actor.slug}&b=c20-0"
    pair_large = f"/compare/?a={large_actor.slug}&b=c200-0"
    assert queries_for(client, pair_small) == queries_for(client, pair_large)
    assert queries_for(client, f"/actors/{small_actor.slug}/") == queries_for(
        client, f"/actors/{large_actor.slug}/"
    )
    before = {
        url: queries_for(client, url)
        for url in ("/", "/debates/", "/actors/", "/search/?q=Country")
    }
    _populate(f.DebateFactory(slug="more"), 50)
    after = {url: queries_for(client, url) for url in before}
    assert before == after


@pytest.mark.django_db
def test_repeat_views_are_answered_from_the_stamp_until_data_changes(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=1, summary="FIRST")
    first = client.get("/debates/airspace/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/debates/airspace/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/debates/airspace/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert (
        client.get("/debates/airspace/?as_of=2025-10-09", HTTP_IF_NONE_MATCH=etag).status_code
        == 200
    )

    cached = queries_for(client, "/debates/airspace/")
    assert cached == 1  # the stamp; the page itself comes from the cache

    published(debate=debate, actor=estonia, stance=2, summary="SECOND", stated_on=later(1))
    changed = client.get("/debates/airspace/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "SECOND" in changed.content.decode()


@pytest.mark.django_db
def test_editing_evidence_or_an_actor_refreshes_the_pages(client, debate, estonia):
    position = published(debate=debate, actor=estonia)
    before = client.get("/debates/airspace/")["ETag"]
    f.EvidenceFactory(position=position, quote="NEW-QUOTE")
    assert client.get("/debates/airspace/")["ETag"] != before
    estonia.name = "Eesti"
    estonia.save()
    assert "Eesti" in client.get("/debates/airspace/").content.decode()


@pytest.mark.django_db
def test_the_sitemap_lists_public_pages_only(client, debate, estonia, settings):
    settings.TRACKER_SITE_URL = "https://tracker.example"
    f.DebateFactory(slug="secret", status="draft")
    body = client.get("/sitemap.xml").content.decode()
    assert "https://tracker.example/debates/airspace/" in body
    assert "https://tracker.example/debates/airspace/shifts/" in body
    assert "/actors/estonia/" in body
    assert "secret" not in body
    for page in ("/across/", "/compare/", "/data/releases/"):
        assert f"<loc>https://tracker.example{page}</loc>" in body


@pytest.mark.django_db
def test_a_bloc_page_shows_how_its_members_are_spread(client, debate, estonia):
    bloc = f.ActorFactory(kind="bloc", name="Frontline", slug="frontline")
    poland = f.CountryFactory(name="Poland", slug="poland", country="PL")
    latvia = f.CountryFactory(name="Latvia", slug="latvia", country="LV")
    for member in (estonia, poland, latvia):
        Membership.objects.create(member=member, organization=bloc)
    published(debate=debate, actor=estonia, stance=2)
    published(debate=debate, actor=poland, stance=2)
    page = client.get("/actors/frontline/").content.decode()
    assert "How the members stand" in page
    assert ">Airspace</a></th><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td><td>1</td>" in page


@pytest.mark.django_db
def test_the_site_has_an_icon(client):
    assert 'rel="icon"' in client.get("/").content.decode()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("favicon.svg")


@pytest.mark.django_db
def test_an_unknown_kind_of_actor_is_named_and_every_actor_shown(client, estonia):
    page = client.get("/actors/?kind=zzz").content.decode()
    assert "No kind of actor is called “zzz”: every actor is shown." in page
    assert "Estonia" in page
    assert "No kind of actor" not in client.get("/actors/?kind=country").content.decode()


@pytest.mark.django_db
def test_a_filter_in_error_points_at_its_message_for_screen_readers(client):
    f.DebateFactory(slug="airspace")
    response = client.get("/debates/airspace/?as_of=2025-02-30&stance=9")
    import lxml.html

    page = lxml.html.fromstring(response.content.decode())
    described = page.xpath("//*[@aria-describedby]")
    assert {e.get("name") for e in described} >= {"as_of", "stance"}
    for element in described:
        for target in element.get("aria-describedby").split():
            assert page.xpath(f"//*[@id='{target}']"), target


@pytest.mark.django_db
def test_an_embed_says_which_of_its_filters_it_did_not_understand(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=1)
    page = client.get("/embed/debates/airspace/?as_of=2025-02-30&stance=3&kind=country")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Not applied, not understood: As of, Stance." in text
    assert "Not applied" not in client.get("/embed/debates/airspace/").content.decode()


@pytest.mark.django_db
def test_evidence_with_no_chain_names_its_level_once(client, debate, estonia):
    position = published(debate=debate, actor=estonia, stance=1)
    f.EvidenceFactory(
        position=position, item=None, url="https://example.org/brief", quote="",
        attribution="editor_inference",
    )  # fmt: skip
    page = client.get("/debates/airspace/").content.decode()
    assert '<span class="smallcaps">Editor&#x27;s inference</span></p>' in page
    assert "Editor&#x27;s inference · Editor&#x27;s inference" not in page


@pytest.mark.django_db
def test_a_debate_as_of_the_first_centuries_answers(client, debate, estonia):
    # Dates typed before 1900 are refused now; older records may still hold them.
    published(
        debate=debate, actor=estonia, stance=1, summary="ANCIENT", stated_on=datetime.date(1, 1, 1)
    )
    response = client.get("/debates/airspace/?as_of=0005-06-01")
    assert response.status_code == 200
    assert stances(response) == [("Estonia", "ANCIENT")]


@pytest.mark.django_db
def test_the_retracted_list_keeps_to_the_actors_the_filters_show(client, debate, estonia):
    official = f.ActorFactory(kind="official", name="Kaja Example", slug="kaja", country="EE")
    published(debate=debate, actor=estonia, stance=1, stated_on=DAY)
    for actor, summary in [(estonia, "Country slip"), (official, "Official slip")]:
        published(
            debate=debate, actor=actor, stance=2, summary=summary, status="retracted",
            stated_on=later(2), retracted_at=timezone.now(), retraction_reason="Misquoted",
        )  # fmt: skip
    countries = client.get("/debates/airspace/?kind=country").content.decode()
    assert "Country slip" in countries and "Official slip" not in countries
    everyone = client.get("/debates/airspace/").content.decode()
    assert "Country slip" in everyone and "Official slip" in everyone
    assert "Country slip" not in client.get("/debates/airspace/?stance=-1").content.decode()
