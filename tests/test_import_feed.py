"""import_feed and friends: the whole pipeline on real feeds, into the real database."""

import json
import random
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.core.management import CommandError, call_command

from tracker.ingest.parse import ParsedEntry
from tracker.ingest.pipeline import Pipeline
from tracker.models import CoverageItem, Debate, Flag, Outlet

from . import factories as f
from . import oracle
from .hostile import HOSTILE_PROLOGS, dangers, xss_payloads
from .limited import GIB, run_limited
from .workers import worker_env

QUERIES = {
    "airspace": '(NATO OR allies OR "eastern flank") AND (@russia OR @vladimir-putin) '
    "AND (drone* OR airspace OR jet* OR hybrid) NOT olympic*",
    "elections": '(election* OR ballot* OR "polling station") AND NOT football',
    "ai": '"artificial intelligence" OR llm* OR (ai AND model*)',
    "trump-tariffs": "@donald-trump AND tariff*",
}


def run_import(*paths, outlet=None):
    from io import StringIO

    out = StringIO()
    args = [*map(str, paths)] + ([f"--outlet={outlet}"] if outlet else [])
    call_command("import_feed", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def queried_debates(db):
    russia = f.ActorFactory(
        slug="russia", name="Russia", kind="country", country="RU", aliases=["Kremlin", "Moscow"]
    )
    f.ActorFactory(slug="vladimir-putin", name="Vladimir Putin", aliases=["Putin"])
    f.ActorFactory(slug="donald-trump", name="Donald Trump", aliases=["Trump"])
    debates = [f.DebateFactory(slug=slug, watch_query=query) for slug, query in QUERIES.items()]
    return debates, russia


class _Text(HTMLParser):
    INLINE = {
        "a",
        "abbr",
        "b",
        "cite",
        "code",
        "em",
        "i",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "u",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def stored_text(item):
    parts = [item.title]
    for html in (item.summary, item.content):
        parser = _Text()
        parser.feed(html)
        parser.close()
        parts.append("".join(parser.parts))
    return " ".join(parts)


@pytest.mark.slow
@pytest.mark.django_db
def test_news_feeds_import_once_and_flag_exactly_what_the_queries_say(corpora, queried_debates):
    debates, _ = queried_debates
    first = run_import(corpora / "news-feeds")
    assert first["files"] == 200
    assert first["items_new"] > 5000
    assert first["flags_created"] > 20

    second = run_import(corpora / "news-feeds")
    assert second["items_new"] == 0
    assert second["flags_created"] == 0
    assert CoverageItem.objects.count() == first["items_new"]

    actor_names = {a.slug: a.names for a in queried_debates[1].__class__.objects.all()}
    expected = set()
    for item in CoverageItem.objects.filter(duplicate_of__isnull=True):
        item_words = oracle.text_words(stored_text(item))
        for debate in debates:
            if oracle.evaluate(debate.watch_query, item_words, actor_names):
                expected.add((item.id, debate.id))
    flagged = set(Flag.objects.filter(found_by="query").values_list("item_id", "debate_id"))
    assert flagged == expected
    assert {d for _, d in flagged} == {d.id for d in debates}
    # Similarity adds flags the queries missed, never one a query's NOT excludes.
    airspace = Debate.objects.get(slug="airspace")
    similar = Flag.objects.filter(found_by="similarity").select_related("item")
    assert similar.exists()
    for flag in similar:
        assert (flag.item_id, flag.debate_id) not in expected
        assert 0 < flag.relevance <= 1
        if flag.debate_id == airspace.id:
            item_words = oracle.text_words(stored_text(flag.item))
            assert not oracle.evaluate("olympic*", item_words, actor_names)


@pytest.mark.django_db
def test_every_feedparser_test_file_goes_through_import_feed(corpora, queried_debates):
    report = run_import(corpora / "feedparser-tests")
    assert report["files"] > 2000
    # Most of these test files carry one element each and no link: they are
    # counted as rejected, with the reason, rather than stored.
    seen = report["items_new"] + report["items_duplicate"] + report["items_rejected"]
    assert seen > 1000
    assert report["items_new"] > 20
    assert any(
        "entries rejected: no http(s) link" in w for ws in report["warnings"].values() for w in ws
    )
    # Whatever could not be parsed is reported against its file, not raised.
    illformed = corpora / "feedparser-tests" / "illformed"
    assert (
        "malformed: <unknown>:8:0: unclosed token"
        in (report["warnings"][str(illformed / "aaa_illformed.xml")])
    )
    assert (
        "malformed: <unknown>:7:0: no element found"
        in (report["warnings"][str(illformed / "rss_empty_document.xml")])
    )


@pytest.mark.django_db
def test_xss_payloads_are_stored_harmless(corpora, tmp_path, queried_debates):
    payloads = list(xss_payloads(corpora))
    items = []
    for n, payload in enumerate(payloads):
        cdata = payload.replace("]]>", "]]&gt;")
        escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        items.append(
            f"<item><title>{escaped}</title><link>https://x.example/{n}</link>"
            f"<description><![CDATA[<p>NATO {cdata}</p>]]></description>"
            f"<content:encoded>{escaped}</content:encoded></item>"
        )
    feed = tmp_path / "xss.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>X</title>'
        "<link>https://x.example/</link>" + "".join(items) + "</channel></rss>",
        encoding="utf-8",
    )
    report = run_import(feed, outlet="XSS Test")
    assert report["items_new"] + report["items_duplicate"] == len(payloads)
    unsafe = [
        (item.id, problem)
        for item in CoverageItem.objects.all()
        for problem in dangers(item.summary) + dangers(item.content)
    ]
    assert unsafe == []


def entry(url, title, text, when=datetime(2025, 10, 9, tzinfo=UTC)):
    return ParsedEntry(title=title, link=url, guid=url, summary=text, published_at=when)


def edit(text, rng, rate=0.04):
    words = text.split()
    for _ in range(max(1, int(len(words) * rate))):
        position = rng.randrange(len(words))
        words[position] = rng.choice(["the", "said", "officials", "on", "Tuesday", "new"])
    return "(Wire) " + " ".join(words) + " Additional reporting by our correspondents."


@pytest.mark.django_db
def test_syndicated_copies_are_clustered_and_flagged_once(corpora, queried_debates):
    from tracker.ingest.parse import parse_feed

    rng = random.Random(7)
    originals = []
    for path in sorted((corpora / "news-feeds").glob("*.xml")):
        for parsed in parse_feed(path.read_bytes()).entries:
            text = (parsed.summary + " " + parsed.content).strip()
            if 80 <= len(text.split()) <= 600 and parsed.title:
                originals.append((parsed.title, " ".join(text.split()[:300])))
        if len(originals) >= 60:
            break
    originals = originals[:50]
    pipeline = Pipeline()
    wire, local = Outlet.objects.create(name="Wire"), Outlet.objects.create(name="Local")
    pipeline.ingest(
        [entry(f"https://wire.example/{n}", t, x) for n, (t, x) in enumerate(originals)],
        outlet=wire,
    )
    summary = pipeline.ingest(
        [
            entry(f"https://local.example/{n}", t.upper(), edit(x, rng))
            for n, (t, x) in enumerate(originals)
        ],
        outlet=local,
    )
    copies = CoverageItem.objects.filter(outlet=local)
    linked = sum(
        1
        for copy in copies.select_related("duplicate_of")
        if copy.duplicate_of and copy.duplicate_of.url == copy.url.replace("local", "wire")
    )
    recall = linked / len(originals)
    print(f"near-copy recall {recall:.2f}")
    assert recall >= 0.8, recall
    wrong = copies.exclude(duplicate_of__isnull=True).count() - linked
    assert wrong == 0
    assert summary.items_near_duplicate == copies.exclude(duplicate_of__isnull=True).count()
    assert not Flag.objects.filter(item__in=copies.exclude(duplicate_of__isnull=True)).exists()
    copy = copies.exclude(duplicate_of__isnull=True).first()
    assert copy.cluster_outlet_count() == copy.duplicate_of.cluster_outlet_count() == 2


@pytest.mark.django_db
def test_copies_within_one_batch_point_at_the_first_one(queried_debates):
    text = " ".join(f"word{n}" for n in range(120))
    summary = Pipeline().ingest(
        [entry("https://a.example/1", "Story", text), entry("https://b.example/1", "Story", text)]
    )
    first, second = CoverageItem.objects.order_by("id")
    assert second.duplicate_of == first
    assert first.cluster_outlet_count() == 0  # no outlets known for these two
    assert summary.items_new == 2
    assert summary.items_near_duplicate == 1


@pytest.mark.django_db
def test_exact_duplicates_by_url_guid_and_headline(queried_debates):
    outlet = Outlet.objects.create(name="O")
    feed = f.FeedFactory(outlet=outlet)
    pipeline = Pipeline()
    pipeline.ingest(
        [entry("https://a.example/1?utm_source=x", "Headline one", "a b c")],
        feed=feed,
        outlet=outlet,
    )
    again = pipeline.ingest(
        [
            entry("https://A.example/1#top", "Something else", "x"),  # same canonical URL
            ParsedEntry(
                title="Other", link="https://a.example/2", guid="https://a.example/1?utm_source=x"
            ),
            entry("https://a.example/3", "Headline   ONE", "later copy of the same headline"),
        ],
        feed=feed,
        outlet=outlet,
    )
    assert again.items_new == 0
    assert again.items_duplicate == 3
    assert CoverageItem.objects.count() == 1


@pytest.mark.django_db
def test_an_item_citing_an_outlet_records_it(queried_debates):
    ft = Outlet.objects.create(name="Financial Times", aliases=["FT"])
    reuters = Outlet.objects.create(name="Reuters")
    Pipeline().ingest(
        [
            entry("https://a.example/1", "Allies", "NATO is discussing drones, the FT reported."),
            entry(
                "https://a.example/2", "Allies", "Drones crossed, according to Reuters on Monday."
            ),
            entry(
                "https://a.example/3",
                "Allies",
                "This was reported by the Financial Times, citing officials.",
            ),
            entry("https://a.example/4", "Allies", "Nobody is cited here at all, say our sources."),
        ]
    )
    cited = dict(CoverageItem.objects.values_list("url", "cited_outlet"))
    assert cited == {
        "https://a.example/1": ft.id,
        "https://a.example/2": reuters.id,
        "https://a.example/3": ft.id,
        "https://a.example/4": None,
    }


@pytest.mark.django_db
def test_rematch_creates_only_missing_flags(corpora, queried_debates):
    run_import(
        corpora / "news-feeds" / "d4b7ab74da763119.json",
        corpora / "news-feeds" / "0346e81559b251eb.xml",
    )
    before = Flag.objects.count()
    out = __import__("io").StringIO()
    call_command("rematch", "--debate", "ai", stdout=out)
    assert json.loads(out.getvalue())["flags_created"] == 0
    widened = Debate.objects.get(slug="ai")
    widened.watch_query = "the"
    widened.save()
    call_command("rematch", "--debate", "ai", stdout=out)
    assert Flag.objects.count() > before
    after = Flag.objects.count()
    call_command("rematch", "--debate", "ai", "--since", "2000-01-01", stdout=out)
    assert Flag.objects.count() == after


def test_rematch_and_flags_refuse_unknown_debates(db):
    for command in ("rematch", "flags"):
        with pytest.raises(CommandError, match="no debate with the slug"):
            call_command(command, "--debate", "nope")


@pytest.mark.django_db
def test_rematch_refuses_a_bad_date(queried_debates):
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("rematch", "--debate", "ai", "--since", "yesterday")


def test_import_feed_refuses_a_missing_path(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_feed", str(tmp_path / "missing.xml"))


@pytest.mark.django_db
def test_flags_prints_the_queue_as_json_lines(queried_debates, tmp_path):
    feed = tmp_path / "one.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>'
        "<item><title>Kremlin drones cross NATO airspace</title><link>https://t.example/1</link>"
        "<description>Allies push for a stronger response.</description></item></channel></rss>"
    )
    run_import(feed)
    from io import StringIO

    out = StringIO()
    call_command("flags", "--debate", "airspace", "--json", stdout=out)
    [line] = out.getvalue().splitlines()
    row = json.loads(line)
    assert set(row) == {
        "item_id", "url", "title", "score", "status", "matched_terms", "matched_actors", "suggested_stance",
        "relevance", "found_by", "reason",
    }  # fmt: skip
    assert row["found_by"] == "query"
    assert 0 < row["relevance"] <= 1
    assert row["reason"]["nearest"] == "debate"
    assert row["matched_actors"] == ["russia"]
    assert row["suggested_stance"] == 2
    assert row["status"] == "new"
    assert "@russia" in row["matched_terms"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "low, high, stance, direction",
    [("conservative", "more aggressive", 2, 1), ("more aggressive", "conservative", -2, -1),
     ("protectionist", "free trade", None, None)],
)  # fmt: skip
def test_the_stored_suggestion_faces_each_debates_own_poles(tmp_path, low, high, stance, direction):
    """The queue and the review screen show the stored suggestion in the
    debate's words, so it must point at the debate's own escalatory pole, and
    be left out where the poles are not about escalation."""
    f.DebateFactory(slug="poles", watch_query="airspace", low_label=low, high_label=high)
    feed = tmp_path / "one.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>'
        "<item><title>Drones cross NATO airspace</title><link>https://t.example/1</link>"
        "<description>Allies push for a stronger response.</description></item></channel></rss>"
    )
    run_import(feed)
    flag = Flag.objects.get(debate__slug="poles")
    assert flag.suggested_stance == stance
    assert {reason["direction"] for reason in flag.stance_reasons} == (
        {direction} if direction else set()
    )


@pytest.mark.django_db
def test_the_xxe_corpus_through_import_feed_reads_no_file(corpora, queried_debates):
    report = run_import(corpora / "xxe")
    assert report["files"] == len([p for p in (corpora / "xxe").iterdir() if p.is_file()])
    for item in CoverageItem.objects.all():
        for text in (item.title, item.summary, item.content):
            assert "root:" not in text and "lol" not in text
    assert all(
        any("document type declaration removed" in w for w in warnings)
        for path, warnings in report["warnings"].items()
        if "DOCTYPE" in (corpora / "xxe" / path.rsplit("/", 1)[-1]).read_text(errors="replace")
    )


@pytest.mark.django_db(transaction=True)
def test_import_feed_of_hostile_files_takes_seconds_and_little_memory(corpora, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    for path in sorted((corpora / "xxe").iterdir()):
        data = path.read_bytes()
        (folder / path.name).write_bytes(data)
        (folder / f"spaces-{path.name}").write_bytes(b" " * 70_000 + data)
        (folder / f"newlines-{path.name}").write_bytes(b"\n" * 70_000 + data)
        (folder / f"bom-newlines-{path.name}").write_bytes(
            b"\xef\xbb\xbf" + b"\r\n" * 35_000 + data
        )
    for name, document in HOSTILE_PROLOGS.items():
        (folder / f"{name}.xml").write_bytes(document)
    outcome = run_limited(
        ["manage.py", "import_feed", str(folder)],
        memory=GIB,
        timeout=120,
        env=worker_env(tmp_path / "data"),
    )
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    report = outcome.json()
    assert report["files"] == 4 * 8 + 7
    assert outcome.seconds < 30
    assert outcome.peak_mb < 400
    titles = " ".join(CoverageItem.objects.values_list("title", flat=True))
    assert "root:" not in titles  # nothing from /etc/passwd
    assert "AAAAAAAAAA" not in titles and "lollol" not in titles
