"""Links: only http(s) is kept, and one canonical form per article."""

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url
from w3lib.url import canonicalize_url

# Query parameters that identify a campaign or a click, not an article.
TRACKING_PARAMETERS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ocid", "cmpid", "ncid", "sr_share",
    "smid", "smtyp", "ref_src", "ref_url", "guccounter", "guce_referrer", "guce_referrer_sig",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
    "__twitter_impression", "s_kwcid", "spm", "cmp", "ito", "taid",
}  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_", "hsa_", "vero_", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000


def is_http_url(url):
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


_WHITESPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def has_whitespace_or_control(url):
    """Tabs and newlines are dropped by some URL parsers and kept by others."""
    return bool(_WHITESPACE_OR_CONTROL.search(url))


def fetched_host(url):
    """The host as the fetcher (urllib3) reads it: like a browser, it ends the
    authority at a backslash, where urlsplit reads on to an "@". None when unreadable."""
    try:
        host = parse_url(url).host
    except LocationParseError:
        return None
    return host.strip("[]").lower() if host else None


def absolute_http_url(link, base=""):
    """The link made absolute against base; '' unless it is http(s)."""
    link = (link or "").strip()
    if not link:
        return ""
    try:
        url = urljoin(base, link) if base else link
    except ValueError:
        return ""
    return url if is_http_url(url) and len(url) <= MAX_URL_LENGTH else ""


def _is_tracking(name):
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url):
    """Lower-case host, no default port, no fragment, no tracking parameters,
    parameters in a stable order; ValueError when it is not an http(s) URL."""
    if not is_http_url(url):
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port and parts.port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _is_tracking(k)])
    path = parts.path or "/"
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")), keep_blank_values=True)


def without_tracking(url):
    """The link as given, less its fragment and the query parameters that
    identify a click or a campaign: the address editors and readers follow.
    Unlike canonical_url it keeps the host's case and the parameters' order
    and encoding, so it is still the address the outlet published."""
    parts = urlsplit(url)
    if not parts.query and not parts.fragment:
        return url
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    return urlunsplit(parts._replace(query="&".join(kept), fragment=""))
