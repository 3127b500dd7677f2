"""What readers read: the embed and the snippet that embeds it, empty states,
the stance filter, corroboration lines and search results."""

import datetime

import pytest
from django.utils import timezone
from lxml import html

from tracker.models import Evidence

from . import factories as f
from .pages import parse, text
from .test_page_cache import served_from_cache
from .test_public_pages import _populate, queries_for

DAY = datetime.date(2025, 10, 9)
SITE = "https://tracker.example"


def published(**fields):
    return f.PositionFactory(**fields)


def embed_snippet(client, url):
    """The iframe the debate page offers for copying, as the reader copies it."""
    page = parse(client.get(url))
    (code,) = page.xpath("//p[contains(@class, 'embed-note')]/code")
    (wrapper,) = html.fragments_fromstring(code.text_content())
    (iframe,) = wrapper.xpath("iframe")
    return iframe


@pytest.fixture
def site(settings):
    settings.TRACKER_SITE_URL = SITE


@pytest.fixture
def estonia_moved(debate, estonia):
    """Estonia leaned conservative in September and pushed hard in October."""
    published(debate=debate, actor=estonia, stance=-1, stated_on=datetime.date(2025, 9, 1))
    published(debate=debate, actor=estonia, stance=2, stated_on=DAY)


def chart_groups(page):
    """Each stance on the chart with the names under it."""
    return {
        text(group.xpath(".//*[contains(@class, 'spectrum-head')]/span")[0]): [
            text(label) for label in group.xpath(".//*[contains(@class, 'spectrum-label')]")
        ]
        for group in page.xpath(
            "//figure[contains(@class, 'spectrum')]//li[contains(@class, 'spectrum-group')]"
        )
    }


@pytest.mark.django_db
def test_the_embed_caption_describes_what_the_embed_has(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=1)
    page = parse(client.get("/embed/debates/airspace/"))
    (caption,) = page.xpath("//figcaption")
    today = timezone.localdate()
    assert text(caption) == (
        "Each actor's latest published stance on the debate as a whole, "
        f"as of {today.day} {today:%B %Y}. "
        "Each position's evidence and sources: the debate on Policy Debate Tracker."
    )
    (link,) = caption.xpath(".//a")
    assert link.get("href") == "/debates/airspace/" and link.get("target") == "_top"
    assert not page.xpath("//table") and "table" not in text(page)
    # The names are not links in the embed, so the caption does not offer to follow them.
    assert page.xpath("//*[contains(@class, 'spectrum-label')]") and not page.xpath(
        "//figure//a[contains(@class, 'spectrum-label')]"
    )


@pytest.mark.django_db
def test_the_embed_snippet_has_a_size_and_a_title(client, site, debate, estonia):
    published(debate=debate, actor=estonia, stance=1)
    iframe = embed_snippet(client, "/debates/airspace/")
    assert iframe.tag == "iframe"
    assert iframe.get("src") == f"{SITE}/embed/debates/airspace/"
    assert iframe.get("title") == "Airspace: where each actor stands"
    assert iframe.get("width") == "100%"
    assert int(iframe.get("height")) >= 300
    assert "border: 0" in iframe.get("style")


@pytest.mark.django_db
def test_the_embed_snippet_reads_as_html_to_paste(client, site, debate, estonia):
    debate.title = 'NATO\'s "red lines" & <drones>'
    debate.save()
    published(debate=debate, actor=estonia, stance=1)
    page = parse(client.get("/debates/airspace/"))
    (code,) = page.xpath("//p[contains(@class, 'embed-note')]/code")
    # One column: 340 + 40 for each of the five stances + 24 for Estonia = 564px.
    # A column per stance from 640px: 220 + the tallest column, the empty middle
    # one, whose "0 between conservative and more aggressive" takes four lines of
    # 13 characters (30 + 4 * 18 = 102) = 322px. The class is the first ten hex
    # digits of the source address's SHA-256, so two charts on a page keep apart.
    assert code.text_content() == (
        '<div style="container-type: inline-size"><style>@container (min-width: 640px) '
        "{ iframe.pdt-embed-f1c6979880 { height: 322px; } }</style>"
        '<iframe class="pdt-embed-f1c6979880" '
        'src="https://tracker.example/embed/debates/airspace/" '
        'title="NATO\'s &quot;red lines&quot; &amp; &lt;drones&gt;: where each actor stands" '
        'width="100%" height="564" style="border: 0; max-width: 100%" loading="lazy">'
        "</iframe></div>"
    )


@pytest.mark.django_db
def test_an_as_of_page_offers_to_embed_the_chart_as_of_that_date(
    client, site, debate, estonia_moved
):
    today = parse(client.get("/debates/airspace/"))
    assert chart_groups(today)["+2"] == ["Estonia"]

    iframe = embed_snippet(client, "/debates/airspace/?as_of=2025-09-30")
    assert iframe.get("src") == f"{SITE}/embed/debates/airspace/?as_of=2025-09-30"
    embed = parse(client.get(iframe.get("src").removeprefix(SITE)))
    assert chart_groups(embed) == {"−2": [], "−1": ["Estonia"], "0": [], "+1": [], "+2": []}
    assert "as of 30 September 2025" in text(embed.xpath("//figcaption")[0])
    (link,) = embed.xpath("//h1/a")
    assert link.get("href") == "/debates/airspace/?as_of=2025-09-30"


@pytest.mark.django_db
def test_a_filtered_page_offers_to_embed_the_filtered_chart(client, site, debate, estonia):
    published(debate=debate, actor=estonia, stance=1)
    published(debate=debate, actor=f.ActorFactory(name="NATO", kind="organization"), stance=1)
    iframe = embed_snippet(client, "/debates/airspace/?kind=country&as_of=2025-10-09")
    src = iframe.get("src")
    assert src == f"{SITE}/embed/debates/airspace/?as_of=2025-10-09&kind=country"
    embed = parse(client.get(src.removeprefix(SITE)))
    assert chart_groups(embed)["+1"] == ["Estonia"]
    assert "Filtered: 1 actor shown." in text(embed)


@pytest.mark.django_db
def test_a_date_ahead_of_today_embeds_todays_chart(client, site, debate, estonia_moved):
    iframe = embed_snippet(client, "/debates/airspace/?as_of=2999-01-01")
    assert iframe.get("src") == f"{SITE}/embed/debates/airspace/"


@pytest.mark.django_db
def test_a_bad_date_in_an_embed_is_reported_by_the_debate_page_and_ignored(
    client, debate, estonia_moved
):
    page = parse(client.get("/embed/debates/airspace/?as_of=yesterday"))
    assert chart_groups(page)["+2"] == ["Estonia"]


@pytest.mark.django_db
def test_an_embed_as_of_a_date_is_cached_like_the_debate_page(client, debate, estonia_moved):
    assert not served_from_cache(client, "/embed/debates/airspace/?as_of=2025-09-30")
    assert served_from_cache(client, "/embed/debates/airspace/?as_of=2025-09-30")


@pytest.mark.django_db
def test_embeds_as_of_a_date_cost_the_same_queries_at_any_size(client):
    small, large = f.DebateFactory(slug="small"), f.DebateFactory(slug="large")
    _populate(small, 20), _populate(large, 200)
    for template in ("/embed/debates/{}/?as_of=2025-10-09", "/embed/debates/{}/?kind=country"):
        assert queries_for(client, template.format("small")) == queries_for(
            client, template.format("large")
        ), template


def _empty_state(page, words):
    """The element that says `words`, checked to be a paragraph outside any list."""
    (element,) = page.xpath(f"//main//*[normalize-space(text()) = '{words}']")
    assert element.tag == "p", (words, element.tag)
    assert not [a for a in element.iterancestors() if a.tag in ("ol", "ul", "li")], words
    return element


@pytest.mark.django_db
def test_empty_states_are_sentences_not_list_items(client, debate):
    _empty_state(parse(client.get("/debates/airspace/")), "No shifts recorded yet.")
    home = parse(client.get("/"))
    _empty_state(home, "No shifts recorded yet.")
    assert not home.xpath("//ol[not(li)]"), "an empty numbered list"
    _empty_state(parse(client.get("/actors/?kind=bloc")), "No actors.")
    debate.status = "draft"
    debate.save()
    _empty_state(parse(client.get("/")), "No debates are published yet.")


@pytest.mark.django_db
def test_the_stance_filter_offers_each_choice_once(client, debate):
    page = parse(client.get("/debates/airspace/"))
    options = [(o.get("value"), text(o)) for o in page.xpath("//select[@id='id_stance']/option")]
    assert options == [
        ("", "Any stance"),
        ("-2", "−2 · strongly conservative"),
        ("-1", "−1 · leaning conservative"),
        ("0", "0 · between conservative and more aggressive"),
        ("1", "+1 · leaning more aggressive"),
        ("2", "+2 · strongly more aggressive"),
    ]


@pytest.mark.django_db
def test_corroboration_is_told_only_when_an_outlet_backs_the_position(client, debate, estonia):
    linked = published(debate=debate, actor=estonia, stance=1, summary="Linked only.")
    f.EvidenceFactory(position=linked, item=None, url="https://valitsus.example/statement")
    reported = published(debate=debate, actor=f.CountryFactory(slug="latvia", name="Latvia"))
    f.EvidenceFactory(position=reported)
    f.EvidenceFactory(position=reported)  # two stories, two outlets
    page = parse(client.get("/debates/airspace/"))
    lines = {
        text(row.xpath("./th//a")[0]): [text(p) for p in row.xpath(".//p[@class='corroboration']")]
        for row in page.xpath("//table[contains(@class, 'stances')]/tbody/tr")
    }
    assert lines == {"Estonia": [], "Latvia": ["2 independent outlets"]}
    assert "0 independent outlets" not in text(page)


def search_results(client, query):
    page = parse(client.get("/search/", {"q": query}))
    return [text(item) for item in page.xpath("//section[@id='positions-found']//li")]


@pytest.mark.django_db
def test_search_names_the_option_of_each_position_once(client, debate, estonia):
    drones = f.ProposalFactory(debate=debate, title="Arm surveillance drones", rung=1)
    rules = f.ProposalFactory(debate=debate, title="Loosen pilots' rules", rung=2)
    for proposal in (drones, rules):
        published(
            debate=debate, actor=estonia, proposal=proposal, support="support", stance=2,
            summary="Among the proposals the border states raised.",
        )  # fmt: skip
    assert search_results(client, "border states") == [
        "Estonia on Airspace · Arm surveillance drones: Supports +2 strongly more aggressive "
        "· 9 Oct 2025 Among the proposals the border states raised.",
        "Estonia on Airspace · Loosen pilots' rules: Supports +2 strongly more aggressive "
        "· 9 Oct 2025 Among the proposals the border states raised.",
    ]


@pytest.mark.django_db
def test_search_finds_evidence_quotes_with_stance_date_and_snippet(client, debate, estonia):
    position = published(
        debate=debate, actor=estonia, stance=-1, stated_on=datetime.date(2025, 9, 1),
        summary="Wants the allies to wait.",
    )  # fmt: skip
    f.EvidenceFactory(
        position=position,
        quote="We will not shoot down a drone on radar data alone; a pilot must see it first.",
    )
    assert search_results(client, "radar") == [
        "Estonia on Airspace: −1 leaning conservative · 1 Sep 2025 Wants the allies to wait. "
        "“We will not shoot down a drone on radar data alone; a pilot must see it first.”"
    ]
    page = parse(client.get("/search/", {"q": "radar"}))
    assert [text(mark) for mark in page.xpath("//section[@id='positions-found']//mark")] == [
        "radar"
    ]


@pytest.mark.django_db
def test_a_long_quote_is_cut_around_the_words_found(client, debate, estonia):
    position = published(debate=debate, actor=estonia, stance=1, summary="Backs the plan.")
    quote = (
        ("Alpha beta gamma delta epsilon. " * 8)
        + "The radar rule matters. "
        + ("Zeta eta theta iota kappa. " * 8)
    )
    f.EvidenceFactory(position=position, quote=quote.strip())
    (result,) = search_results(client, "radar")
    snippet = result.split("Backs the plan. ", 1)[1]
    assert "The radar rule matters." in snippet
    assert snippet.startswith("“…") and snippet.endswith("…”")
    assert len(snippet) < len(quote) / 2


@pytest.mark.django_db
def test_superseded_evidence_and_drafts_are_not_searched(client, debate, estonia):
    position = published(debate=debate, actor=estonia, stance=1, summary="Backs the plan.")
    old = f.EvidenceFactory(position=position, quote="An old quote about sonar.")
    Evidence.objects.filter(pk=old.pk).update(superseded_at=timezone.now())
    draft = f.PositionFactory(
        debate=debate, actor=estonia, status="draft", published_at=None, summary="Draft."
    )
    f.EvidenceFactory(position=draft, quote="A draft quote about sonar.")
    assert search_results(client, "sonar") == []


@pytest.mark.django_db
def test_search_costs_the_same_queries_however_many_positions_match(client, debate):
    def quoted(n):
        actor = f.CountryFactory(slug=f"c{n}", name=f"Country {n}")
        position = published(debate=debate, actor=actor, summary="Backs the plan.")
        f.EvidenceFactory(position=position, quote=f"Radar data, said minister {n}.")

    quoted(0)
    few = queries_for(client, "/search/?q=radar")
    for n in range(1, 25):
        quoted(n)
    assert queries_for(client, "/search/?q=radar") == few


@pytest.mark.django_db
def test_search_finds_every_word_in_any_order_and_leaves_out_excluded_words(
    client, debate, estonia
):
    latvia = f.CountryFactory(name="Latvia", slug="latvia", country="LV")
    published(debate=debate, actor=estonia, summary="Wants drones shot down over Poland.")
    published(debate=debate, actor=latvia, summary="Poland should wait; drones are cheap.")

    def summaries(query):
        return sorted(p.summary for p in client.get("/search/", {"q": query}).context["positions"])

    assert summaries("Poland drones") == [
        "Poland should wait; drones are cheap.",
        "Wants drones shot down over Poland.",
    ]
    assert summaries("drones Poland -wait") == ["Wants drones shot down over Poland."]
    assert summaries("Poland tanks") == []
    # Nothing to look for finds nothing, and says why.
    assert summaries("-wait") == summaries('""') == summaries('- "') == []
    assert "Give a word to look for" in client.get("/search/", {"q": "-wait"}).content.decode()
    # Quoted words stay a phrase.
    assert summaries('"drones shot"') == ["Wants drones shot down over Poland."]
    assert summaries('"shot drones"') == []
    # An actor is found only by every word.
    assert client.get("/search/", {"q": "Latvia Poland"}).context["actors"] == []
    # Words near each other, as some search engines write it ("a b"~5), are
    # every word anywhere: the distance is not a word to find.
    assert summaries('"shot Poland"~5') == ["Wants drones shot down over Poland."]
    assert summaries('"wait cheap"~2 drones') == ["Poland should wait; drones are cheap."]
    assert summaries('drones -"should wait"~3') == ["Wants drones shot down over Poland."]


@pytest.mark.django_db
def test_the_filter_form_follows_the_blocs_and_the_values_asked_for(client, debate):
    def form(query=""):
        page = parse(client.get(f"/debates/airspace/?{query}"))
        blocs = [(o.get("value"), text(o)) for o in page.xpath("//select[@id='id_bloc']/option")]
        chosen = page.xpath("//select[@id='id_bloc']/option[@selected]/@value")
        errors = [text(e) for e in page.xpath("//form[@class='filters']//span[@class='error']")]
        day = page.xpath("//input[@id='id_as_of']/@value")
        return blocs, chosen, errors, day

    f.ActorFactory(kind="bloc", name="Nordic-Baltic Eight", slug="nb8")
    assert form() == ([("", "Any bloc"), ("nb8", "Nordic-Baltic Eight")], [""], [], [])
    assert form("bloc=nb8") == ([("", "Any bloc"), ("nb8", "Nordic-Baltic Eight")], ["nb8"], [], [])
    # A bloc added since is offered at once; a value asked for again is chosen again.
    f.ActorFactory(kind="bloc", name="Frontline", slug="frontline")
    blocs = [("", "Any bloc"), ("frontline", "Frontline"), ("nb8", "Nordic-Baltic Eight")]
    assert form("bloc=nb8") == (blocs, ["nb8"], [], [])
    assert form("bloc=frontline&as_of=2025-10-01") == (blocs, ["frontline"], [], ["2025-10-01"])
    assert form() == (blocs, [""], [], [])
    # A value that does not validate is reported beside its field, every time.
    for _ in range(2):
        _, chosen, errors, _ = form("bloc=nowhere")
        assert chosen == [] and len(errors) == 1 and "valid choice" in errors[0]


@pytest.mark.django_db
def test_a_search_with_more_positions_than_it_shows_says_so(client, debate, estonia):
    for day in range(31):
        f.PositionFactory(
            debate=debate, actor=estonia, summary=f"Drone incursion answer {day}",
            stated_on=datetime.date(2025, 9, 1) + datetime.timedelta(days=day),
        )  # fmt: skip
    page = client.get("/search/?q=incursion").content.decode()
    assert page.count('class="result-head"') == 30
    assert "The 30 newest positions found are shown; more match." in page
    fewer = client.get("/search/?q=incursion+-30").content.decode()
    assert fewer.count('class="result-head"') == 30
    assert "more match" not in fewer


@pytest.mark.django_db
def test_typographic_quotes_make_a_phrase_as_straight_ones_do(client, debate, estonia):
    published(debate=debate, actor=estonia, summary="Wants drones shot down over Poland.")

    def summaries(query):
        return [p.summary for p in client.get("/search/", {"q": query}).context["positions"]]

    for quoted in ("“drones shot”", "„drones shot“", "«drones shot»", "”drones shot”"):
        assert summaries(quoted) == ["Wants drones shot down over Poland."], quoted
    assert summaries("“shot drones”") == []
    assert summaries("drones -“shot down”") == []
    page = parse(client.get("/search/", {"q": "“drones shot”"}))
    assert text(page.xpath("//h1")[0]) == 'Search: "drones shot"'
    assert text(parse(client.get("/search/", {"q": "drones"})).xpath("//h1")[0]) == (
        "Search: “drones”"
    )


@pytest.mark.django_db
def test_a_search_longer_than_it_reads_says_what_it_left_out(client, debate, estonia):
    published(debate=debate, actor=estonia, summary="Wants drones shot down over Poland.")
    long = "drones " + "x" * 300 + " Poland"
    page = client.get("/search/", {"q": long}).content.decode()
    assert "Only the words in the first 200 characters are searched" in page
    assert "Only the words" not in client.get("/search/?q=drones").content.decode()
    # Cut at the last whole word: "Poland" is not half searched as "Pol".
    words = client.get("/search/", {"q": "drones " * 29 + "Poland"}).context["query"]
    assert words == " ".join(["drones"] * 28)


@pytest.mark.django_db
def test_search_finds_a_position_by_who_is_quoted_in_its_evidence(client, debate, estonia):
    position = published(debate=debate, actor=estonia, summary="Wants drones shot down.")
    f.EvidenceFactory(
        position=position, attribution="on_record", speaker="Margus Tsahkna", quote=""
    )
    published(debate=debate, actor=f.CountryFactory(name="Latvia", slug="latvia"), summary="Other.")
    assert search_results(client, "Tsahkna") == [
        "Estonia on Airspace: +1 leaning more aggressive · 9 Oct 2025 Wants drones shot down."
    ]


@pytest.mark.django_db
def test_a_quote_stored_with_its_own_marks_is_printed_with_one_pair(client, debate, estonia):
    published(debate=debate, actor=estonia, stance=-1, stated_on=datetime.date(2025, 9, 1))
    position = published(debate=debate, actor=estonia, stance=1, summary="Backs radar.")
    evidence = f.EvidenceFactory(position=position, quote="x")
    # Stored before pasted marks were taken off on saving.
    Evidence.objects.filter(pk=evidence.pk).update(quote="“Radar data is enough.”")
    (result,) = search_results(client, "radar data")
    assert result.endswith("Backs radar. “Radar data is enough.”")
    feed = client.get("/debates/airspace/feed/").content.decode()
    assert "“Radar data is enough.”" in feed and "““" not in feed


@pytest.mark.django_db
def test_a_word_left_out_leaves_out_a_position_that_says_it_in_its_summary(client, debate, estonia):
    position = published(debate=debate, actor=estonia, summary="No statement of Poland's own.")
    f.EvidenceFactory(position=position, quote="Drones crossed the border again.")
    published(debate=debate, actor=f.CountryFactory(name="Latvia"), summary="Drones, again.")

    def summaries(query):
        return sorted(p.summary for p in client.get("/search/", {"q": query}).context["positions"])

    assert summaries("drones") == ["Drones, again.", "No statement of Poland's own."]
    assert summaries("drones -Poland") == ["Drones, again."]
    assert summaries('drones -"Poland\'s own"') == ["Drones, again."]


@pytest.mark.django_db
def test_typographic_apostrophes_read_as_straight_ones(client, debate, estonia):
    published(debate=debate, actor=estonia, summary="Wants Russia's drones shot down.")

    def summaries(query):
        return [p.summary for p in client.get("/search/", {"q": query}).context["positions"]]

    for query in ("Russia\u2019s drones", "\u2018drones\u2019", "\u201adrones\u2018"):
        assert summaries(query) == ["Wants Russia's drones shot down."], query


@pytest.mark.django_db
def test_a_search_with_no_word_in_it_says_so(client, debate):
    for query in ('"', "“", "or", "- -"):
        page = client.get("/search/", {"q": query}).content.decode()
        assert "Give a word to look for." in page, query
        assert "not only words to leave out" not in page, query
    assert "not only words to leave out" in client.get("/search/?q=-drones").content.decode()


@pytest.mark.django_db
def test_or_between_words_finds_either(client, debate, estonia):
    published(debate=debate, actor=estonia, summary="Wants drones shot down.")
    published(debate=debate, actor=f.CountryFactory(name="Latvia"), summary="Wants jets sent.")
    published(debate=debate, actor=f.CountryFactory(name="Poland"), summary="Wants talks.")

    def summaries(query):
        return sorted(p.summary for p in client.get("/search/", {"q": query}).context["positions"])

    assert summaries("drones OR jets") == ["Wants drones shot down.", "Wants jets sent."]
    assert summaries("wants drones or jets") == ["Wants drones shot down.", "Wants jets sent."]
    assert summaries("drones or jets -shot") == ["Wants jets sent."]
    assert summaries('"drones shot" or talks') == ["Wants drones shot down.", "Wants talks."]
