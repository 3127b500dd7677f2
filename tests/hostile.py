"""Hostile input shared by the cleaning, parsing, import and panel tests: what a
browser would treat as markup, the XSS corpus, and entity-expansion prologs."""

from html.parser import HTMLParser

from tracker.ingest.text import ALLOWED_TAGS


class _Inspector(HTMLParser):
    """Collects what a browser would treat as markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "src", "srcdoc", "formaction"):
                self.problems.append(f"attribute {name}")
            if name == "href" and not (value or "").lower().startswith(("http://", "https://")):
                self.problems.append(f"href {value!r}")


def dangers(html):
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def xss_payloads(corpora):
    for path in sorted((corpora / "xss").iterdir()):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                yield line


def entity_behind_padding(prefix=b" " * 70_000, doctype=b"<!DOCTYPE rss", encoding="utf-8"):
    """230 KB: a 100,000-character entity referenced 20,000 times under an unknown root,
    which the fast parser refuses, so the document goes to the lenient one."""
    document = (
        doctype
        + b' [<!ENTITY a "'
        + b"A" * 100_000
        + b'">]><foo><channel><title>'
        + b"&a;" * 20_000
        + b"</title></channel></foo>"
    )
    if encoding == "utf-8":
        return prefix + document
    return (prefix.decode() + document.decode()).encode(encoding)


HOSTILE_PROLOGS = {
    "70k-spaces": entity_behind_padding(),
    "70k-newlines": entity_behind_padding(b"\n" * 70_000),
    "bom-then-spaces": entity_behind_padding(b"\xef\xbb\xbf" + b" " * 70_000),
    "declaration-comments-instructions": entity_behind_padding(
        b'<?xml version="1.0"?>' + b"<!-- padding -->\n" * 5_000 + b"<?pi x?>"
    ),
    "lower-case-doctype": entity_behind_padding(doctype=b"<!doctype rss"),
    "utf-16": entity_behind_padding(
        b'<?xml version="1.0" encoding="utf-16"?>' + b"\n" * 70_000, encoding="utf-16"
    ),
    "no-padding": entity_behind_padding(b""),
}


# Parentheses 232 deep: past the watch query's limit of 32 levels, and deep
# enough to overflow a recursive parser without one.
DEEP_QUERY = "(" * 232 + "nato" + ")" * 232
