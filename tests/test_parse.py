"""Parsing: every shape of feed, hostile documents refused or neutralised."""

import tracemalloc

import pytest

from tracker.ingest.parse import parse_feed

from .hostile import HOSTILE_PROLOGS
from .limited import GIB, PARSE_ONE, run_limited

RSS2 = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<link>https://a.example/</link><ttl>90</ttl>
<item><title>One</title><link>https://a.example/1</link><guid>g1</guid>
<pubDate>Thu, 09 Oct 2025 12:05:00 +0000</pubDate><description>&lt;p&gt;Hi&lt;/p&gt;</description></item>
</channel></rss>"""
RSS1 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://a.example/"><title>T</title>
<link>https://a.example/</link></channel>
<item rdf:about="https://a.example/1"><title>One</title><link>https://a.example/1</link>
<description>Hi</description></item></rdf:RDF>"""
RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>T</title>
<link>https://a.example/</link><item><title>One</title><link>https://a.example/1</link>
<description>Hi</description></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<link href="https://a.example/"/><entry><title>One</title><link href="https://a.example/1"/>
<id>urn:1</id><updated>2025-10-09T12:05:00Z</updated><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content></entry></feed>"""
JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "T",
"home_page_url": "https://a.example/", "items": [{"id": "1", "url": "https://a.example/1",
"title": "One", "content_html": "<p>Hi</p>", "date_published": "2025-10-09T12:05:00Z"}]}"""


@pytest.mark.parametrize(
    "data", [RSS2, RSS1, RSS091, ATOM, JSON_FEED], ids=["rss2", "rss1", "rss091", "atom", "json"]
)
def test_every_feed_format_yields_its_entries(data):
    feed = parse_feed(data)
    assert feed.title == "T"
    [entry] = feed.entries
    assert entry.title == "One"
    assert entry.link == "https://a.example/1"
    assert "Hi" in entry.summary + entry.content


def test_rss_dates_and_ttl_are_read():
    feed = parse_feed(RSS2)
    assert feed.ttl_minutes == 90
    assert feed.entries[0].published_at.isoformat() == "2025-10-09T12:05:00+00:00"
    assert feed.entries[0].guid == "g1"


def test_a_malformed_feed_is_salvaged_with_a_warning():
    broken = RSS2.replace(
        b"</channel></rss>", b"<item><title>Two & three</title><link>https://a.example/2</link>"
    )
    feed = parse_feed(broken)
    assert [e.title for e in feed.entries][:1] == ["One"]


def test_garbage_yields_nothing_and_says_so():
    for data in (b"", b"   ", b"\x00\xff\xfe garbage", b"<html><body>not a feed</body></html>"):
        feed = parse_feed(data)
        assert feed.entries == []
        assert feed.warnings


def test_a_string_is_refused_so_it_cannot_be_taken_for_a_path_or_url():
    with pytest.raises(TypeError):
        parse_feed("/etc/passwd")


def laughs(levels=10, width=10):
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        refs = "".join(f"&lol{level - 1};" for _ in range(width))
        entities.append(f'<!ENTITY lol{level} "{refs}">')
    dtd = "\n".join(entities)
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{dtd}]><rss version="2.0"><channel><title>T</title>'
        f"<item><title>&lol{levels - 1};</title><link>https://a.example/1</link></item></channel></rss>"
    ).encode()


def quadratic_blowup(entity_size=100_000, references=20_000):
    body = "&big;" * references
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "{"x" * entity_size}">]>'
        f'<rss version="2.0"><channel><title>T</title><item><title>{body}</title>'
        f"<link>https://a.example/1</link></item></channel></rss>"
    ).encode()


def external_entity(target):
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>'
        '<rss version="2.0"><channel><title>T</title><item><title>leak:&xxe;</title>'
        "<link>https://a.example/1</link><description>&xxe;</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "document",
    [laughs(), quadratic_blowup(), laughs(levels=3, width=1000)],
    ids=["billion-laughs", "quadratic-blowup", "wide-laughs"],
)
def test_entity_expansion_is_never_performed(document):
    tracemalloc.start()
    try:
        feed = parse_feed(document)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * len(document) + 20_000_000
    for entry in feed.entries:
        assert "lol" not in entry.title
        assert len(entry.title) < 1000
    assert any("document type declaration removed" in w for w in feed.warnings)


def test_external_entities_read_no_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    feed = parse_feed(external_entity(secret.as_uri()))
    text = " ".join(e.title + e.summary + e.content for e in feed.entries)
    assert "TOP-SECRET" not in text


def test_the_xxe_corpus_is_neutralised(corpora, tmp_path):
    tracemalloc.start()
    try:
        for path in sorted((corpora / "xxe").iterdir()):
            feed = parse_feed(path.read_bytes())
            text = " ".join(e.title + e.summary + e.content for e in feed.entries)
            assert "root:" not in text  # nothing from /etc/passwd
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_every_feedparser_test_file_parses_without_an_exception(corpora):
    files = [p for p in (corpora / "feedparser-tests").rglob("*") if p.is_file()]
    assert len(files) > 2000
    entries = sum(len(parse_feed(path.read_bytes()).entries) for path in files)
    assert entries > 1000


@pytest.mark.parametrize("name", HOSTILE_PROLOGS)
def test_an_entity_declared_anywhere_in_the_prolog_is_never_expanded(name, tmp_path):
    path = tmp_path / "hostile.xml"
    path.write_bytes(HOSTILE_PROLOGS[name])
    outcome = run_limited(["-c", PARSE_ONE, str(path)], memory=GIB, timeout=30)
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert outcome.seconds < 10
    report = outcome.json()
    assert not report["has_expansion"]
    assert report["longest_text"] < 100_000
    assert report["peak_mb"] < 300
    assert any("entit" in warning for warning in report["warnings"]), report["warnings"]


def test_an_entity_declared_outside_a_doctype_is_not_salvaged():
    document = b'<!ENTITY a "AAAAAAAAAA"><foo><channel><title>&a;</title></channel></foo>'
    feed = parse_feed(document)
    assert feed.entries == []
    assert "AAAAAAAAAA" not in feed.title
    assert "refused: the document declares entities outside a DOCTYPE" in feed.warnings


def test_an_article_quoting_an_unclosed_doctype_is_kept_whole():
    article = b'<![CDATA[<p>Try <!DOCTYPE x [ and "quotes</p>]]>'
    document = RSS2.replace(b"&lt;p&gt;Hi&lt;/p&gt;", article).replace(
        b"</channel>", b"<item><title>Two</title><link>https://a.example/2</link></item></channel>"
    )
    feed = parse_feed(document)
    assert [e.title for e in feed.entries] == ["One", "Two"]
    assert feed.entries[0].summary == '<p>Try <!DOCTYPE x [ and "quotes</p>'


def test_a_doctype_hidden_in_a_cdata_section_before_the_first_element_is_cut_out():
    document = (
        b'<?xml version="1.0"?><![CDATA[\n<!DOCTYPE rss [\n<!ENTITY a "AAAAAAAAAA">\n]>\n]]>'
        b"<foo><channel><title>&a;</title></channel></foo>"
    )
    feed = parse_feed(document)
    assert "AAAAAAAAAA" not in feed.title
    assert "document type declaration removed (entities are not expanded)" in feed.warnings


def test_an_unclosed_doctype_takes_the_rest_of_the_document_with_it():
    feed = parse_feed(b'<!DOCTYPE rss [<!ENTITY a "AAAAAAAAAA">' + RSS2)
    assert feed.entries == []


def test_an_entity_declared_in_utf_7_is_not_expanded():
    # In UTF-7 "+ADw-" is "<": only a parser that decodes first sees the declaration.
    body = b'+ADw-!DOCTYPE rss [+ADw-!ENTITY a "AAAAAAAAAA">]><foo><channel><title>&a;&a;'
    feed = parse_feed(
        b'<?xml version="1.0" encoding="utf-7"?>' + body + b"</title></channel></foo>"
    )
    assert "AAAAAAAAAA" not in feed.title
    assert "document type declaration removed (entities are not expanded)" in feed.warnings


def salvaged_feed(items, description="Hi"):
    """An unknown root: only the lenient parser reads it."""
    entries = "".join(
        f"<item><title>t{n}</title><link>https://a.example/{n}</link>"
        f"<description>{description}</description></item>"
        for n in range(items)
    )
    return f"<foo><channel><title>T</title>{entries}</channel></foo>".encode()


def test_the_lenient_parser_reads_only_the_first_256_kb():
    feed = parse_feed(salvaged_feed(2_000, description="x" * 400))  # ~500 bytes an item
    assert 500 < len(feed.entries) < 540
    assert feed.entries[0].title == "t0"
    assert "only the first 256 KB were salvaged" in feed.warnings


def test_the_lenient_parser_keeps_at_most_2000_entries():
    feed = parse_feed(salvaged_feed(2_500).replace(b"<description>Hi</description>", b""))
    assert len(feed.entries) == 2_000
    assert "only the first 2000 entries were kept" in feed.warnings


def test_markup_dense_junk_costs_the_lenient_parser_seconds_not_minutes(tmp_path):
    path = tmp_path / "tags.xml"
    path.write_bytes(b"<foo><channel><item><description>" + b"<b>" * 3_000_000)
    outcome = run_limited(["-c", PARSE_ONE, str(path)], memory=GIB, timeout=60)
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert outcome.seconds < 10
    assert outcome.json()["peak_mb"] < 300
