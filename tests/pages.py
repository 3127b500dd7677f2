"""Read a page as a test reads it: parsed, and an element's text with its
whitespace folded."""

from lxml import html


def parse(response):
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def text(element):
    return " ".join(element.text_content().split())
