"""Cleaning: canonical URLs, plain text, and HTML that is safe to show."""

import pytest

from tracker.ingest.parse import ParsedEntry
from tracker.ingest.pipeline import clean_entry
from tracker.ingest.text import html_text, sanitise_html, strip_html
from tracker.ingest.urls import canonical_url

from .hostile import dangers, xss_payloads


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.FT.com/content/abc", "https://www.ft.com/content/abc"),
        ("https://ft.com/a#section-2", "https://ft.com/a"),
        ("https://ft.com/a?utm_source=x&utm_medium=rss&id=7", "https://ft.com/a?id=7"),
        ("https://ft.com/a?b=2&fbclid=XYZ&a=1&gclid=1", "https://ft.com/a?a=1&b=2"),
        ("https://ft.com:443/a", "https://ft.com/a"),
        ("http://ft.com:8080/a", "http://ft.com:8080/a"),
        ("https://ft.com", "https://ft.com/"),
        ("https://ft.com/a?x=", "https://ft.com/a?x="),
    ],
)
def test_canonical_urls(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://a/b", "//a/b"]
)
def test_only_http_urls_have_a_canonical_form(url):
    with pytest.raises(ValueError):
        canonical_url(url)


def test_entries_without_an_http_link_are_rejected():
    assert clean_entry(ParsedEntry(title="x", link="javascript:alert(1)")) == "no http(s) link"
    assert clean_entry(ParsedEntry(title="x", link="/relative")) == "no http(s) link"
    item = clean_entry(ParsedEntry(title="x", link="/a/b"), base_url="https://site.example/feed")
    assert item.canonical_url == "https://site.example/a/b"


@pytest.mark.parametrize(
    ("link", "followed"),
    [
        ("https://News.example/a?id=3&utm_source=rss&utm_medium=feed#comments",
         "https://News.example/a?id=3"),
        ("https://news.example/a?fbclid=XYZ&b=2&a=1", "https://news.example/a?b=2&a=1"),
        ("https://news.example/a?q=caf%C3%A9&UTM_Campaign=x", "https://news.example/a?q=caf%C3%A9"),
        ("https://news.example/a?utm_source=rss", "https://news.example/a"),
        ("https://news.example/a/#top", "https://news.example/a/"),
        ("https://news.example/a?x=&y", "https://news.example/a?x=&y"),
    ],
)  # fmt: skip
def test_the_link_followed_keeps_the_article_and_drops_tracking_and_fragment(link, followed):
    """The stored link is the one editors and readers open: as the feed gave
    it, less what identifies a click or a campaign, and no jump into the page."""
    assert clean_entry(ParsedEntry(title="x", link=link)).url == followed


def test_a_permalink_guid_stands_in_for_a_missing_link():
    item = clean_entry(ParsedEntry(title="x", guid="https://site.example/p/1"))
    assert item.url == "https://site.example/p/1"


def test_titles_are_plain_text():
    item = clean_entry(
        ParsedEntry(title="<b>NATO</b> &amp; <script>x()</script>allies", link="https://a.example/")
    )
    assert item.title == "NATO & allies"


def test_a_missing_title_is_taken_from_the_text():
    item = clean_entry(
        ParsedEntry(summary="<p>Allies met in Brussels.</p>", link="https://a.example/")
    )
    assert item.title == "Allies met in Brussels."


def test_plain_text_of_sanitised_html_keeps_words_whole():
    html = sanitise_html(
        "<p>Ru<b>ss</b>ia</p><p>NATO&nbsp;&amp; allies</p><ul><li>a</li><li>b</li></ul>"
    )
    assert html_text(html) == "Russia NATO & allies a b"
    assert strip_html("<p>one</p><p>two</p>") == "one two"


def test_no_xss_payload_survives_sanitising(corpora):
    payloads = list(xss_payloads(corpora))
    assert len(payloads) > 850
    survivors = [p for p in payloads if dangers(sanitise_html(p))]
    assert survivors == []


def test_the_inspector_itself_sees_danger():
    assert dangers("<img src=x onerror=alert(1)>") == [
        "tag img",
        "attribute src",
        "attribute onerror",
    ]
    assert dangers('<a href="javascript:alert(1)">x</a>') == ["href 'javascript:alert(1)'"]


@pytest.mark.django_db
def test_stored_links_are_cleaned_once_on_upgrade():
    from importlib import import_module

    from django.apps import apps

    from tracker.models import CoverageItem

    from . import factories as f

    tracked = f.CoverageItemFactory(url="https://news.example/a?id=3&utm_source=rss#comments")
    plain = f.CoverageItemFactory(url="https://news.example/b?id=4")
    upgrade = import_module("tracker.migrations.0017_links_without_tracking")
    upgrade.clean_links(apps, None)
    assert CoverageItem.objects.get(pk=tracked.pk).url == "https://news.example/a?id=3"
    assert CoverageItem.objects.get(pk=plain.pk).url == "https://news.example/b?id=4"
