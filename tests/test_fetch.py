"""The safe fetcher against real HTTP servers on 127.0.0.x."""

import email.utils
import gzip
import ipaddress
import time
import tracemalloc

import pytest

from tracker.ingest.fetch import FetchError, FetchRefused, address_refusal, fetch

from .feedserver import FeedServer, RawServer, Route, rss

ALLOW_TEST_HOST = (ipaddress.ip_network("127.0.0.2/32"),)
FEED = rss(("One", "https://test.example/1", "Hello"))


@pytest.fixture
def loopback_server():
    """A server on 127.0.0.1 that nothing should ever reach."""
    with FeedServer("127.0.0.1") as running:
        running.routes["/feed.xml"] = Route(body=FEED)
        yield running


def test_a_feed_on_an_allowed_network_is_fetched(server):
    server.routes["/feed.xml"] = Route(
        body=FEED, headers={"ETag": '"v1"', "Cache-Control": "max-age=600"}
    )
    result = fetch(server.url("/feed.xml"), allowed_networks=ALLOW_TEST_HOST)
    assert result.status == 200
    assert result.body == FEED
    assert result.etag == '"v1"'
    assert result.max_age == 600


def test_the_same_host_is_refused_when_its_network_is_not_allowed(server):
    server.routes["/feed.xml"] = Route(body=FEED)
    with pytest.raises(FetchRefused, match="127.0.0.2 is not a public address"):
        fetch(server.url("/feed.xml"))
    assert server.requests == []


def test_a_conditional_get_answers_not_modified(server):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return Route(304)
        return Route(
            body=FEED, headers={"ETag": '"v1"', "Last-Modified": "Thu, 09 Oct 2025 12:00:00 GMT"}
        )

    server.routes["/feed.xml"] = conditional
    first = fetch(server.url("/feed.xml"), allowed_networks=ALLOW_TEST_HOST)
    second = fetch(
        server.url("/feed.xml"),
        etag=first.etag,
        last_modified=first.last_modified,
        allowed_networks=ALLOW_TEST_HOST,
    )
    assert second.not_modified
    assert second.body == b""
    assert server.requests[1][1]["If-Modified-Since"] == "Thu, 09 Oct 2025 12:00:00 GMT"


def test_a_redirect_to_loopback_is_refused_at_connect_time(server, loopback_server):
    server.routes["/feed.xml"] = Route(302, headers={"Location": loopback_server.url("/feed.xml")})
    with pytest.raises(FetchRefused, match="127.0.0.1 is not a public address"):
        fetch(server.url("/feed.xml"), allowed_networks=ALLOW_TEST_HOST)
    assert loopback_server.requests == []


def test_a_redirect_within_the_allowed_network_is_followed(server):
    server.routes["/old"] = Route(301, headers={"Location": "/feed.xml"})
    server.routes["/feed.xml"] = Route(body=FEED)
    result = fetch(server.url("/old"), allowed_networks=ALLOW_TEST_HOST)
    assert result.final_url == server.url("/feed.xml")


def test_more_than_five_redirects_are_refused(server):
    for n in range(7):
        server.routes[f"/r{n}"] = Route(302, headers={"Location": f"/r{n + 1}"})
    with pytest.raises(FetchRefused, match="more than 5 redirects"):
        fetch(server.url("/r0"), allowed_networks=ALLOW_TEST_HOST)
    assert len(server.requests) == 6


def test_a_redirect_to_another_scheme_is_refused(server):
    server.routes["/feed.xml"] = Route(302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(server.url("/feed.xml"), allowed_networks=ALLOW_TEST_HOST)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0.0.0.0",
        "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    ],
)  # fmt: skip
def test_loopback_in_every_spelling_is_refused(host, loopback_server):
    url = f"http://{host}:{loopback_server.port}/feed.xml"
    with pytest.raises(FetchRefused, match="is not a public address"):
        fetch(url, deadline=5)
    assert loopback_server.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254",
        "127.0.0.2", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "192.0.2.1", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "64:ff9b::7f00:1",
        "2002:a00:1::1", "2002:7f00:1::1", "::127.0.0.1", "2001:db8::1", "fec0::1",
    ],
)  # fmt: skip
def test_every_non_public_address_class_is_refused(address):
    assert address_refusal(address) is not None


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "2a00:1450:4001::200e"]
)
def test_public_addresses_pass(address):
    assert address_refusal(address) is None


def test_an_allowed_network_opens_only_itself():
    allowed = (ipaddress.ip_network("10.5.0.0/16"),)
    assert address_refusal("10.5.1.2", allowed) is None
    assert address_refusal("::ffff:10.5.1.2", allowed) is None
    assert address_refusal("10.6.1.2", allowed) is not None


def test_an_oversized_body_is_refused(server):
    server.routes["/big.xml"] = Route(body=b"x" * 300_000)
    with pytest.raises(FetchRefused, match="larger than 100000 bytes"):
        fetch(server.url("/big.xml"), max_bytes=100_000, allowed_networks=ALLOW_TEST_HOST)


def test_a_decompression_bomb_is_refused_without_inflating_it(server):
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)
    assert len(bomb) < 300_000
    server.routes["/bomb.xml"] = Route(body=bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchRefused, match="larger than 1000000 bytes"):
            fetch(server.url("/bomb.xml"), max_bytes=1_000_000, allowed_networks=ALLOW_TEST_HOST)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_a_gzipped_feed_is_decompressed(server):
    server.routes["/feed.xml"] = Route(
        body=gzip.compress(FEED), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(server.url("/feed.xml"), allowed_networks=ALLOW_TEST_HOST).body == FEED


def test_a_slow_drip_hits_the_overall_deadline(server):
    server.routes["/drip.xml"] = Route(body=FEED * 10, drip=0.05)
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline of 1.5 s passed"):
        fetch(server.url("/drip.xml"), deadline=1.5, allowed_networks=ALLOW_TEST_HOST)
    assert time.monotonic() - started < 3


def test_a_server_that_never_answers_hits_the_deadline(server):
    server.routes["/stall.xml"] = Route(body=FEED, stall=30)
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline|timed out|Timeout"):
        fetch(server.url("/stall.xml"), deadline=1.0, allowed_networks=ALLOW_TEST_HOST)
    assert time.monotonic() - started < 3


def test_http_errors_carry_retry_after(server):
    server.routes["/busy.xml"] = Route(429, headers={"Retry-After": "120"})
    server.routes["/gone.xml"] = Route(410)
    with pytest.raises(FetchError) as busy:
        fetch(server.url("/busy.xml"), allowed_networks=ALLOW_TEST_HOST)
    assert busy.value.retry_after == 120
    assert not busy.value.refused
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch(server.url("/gone.xml"), allowed_networks=ALLOW_TEST_HOST)


def test_retry_after_as_an_http_date_is_the_seconds_until_then(server):
    in_an_hour = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.routes["/busy.xml"] = Route(503, headers={"Retry-After": in_an_hour})
    with pytest.raises(FetchError) as busy:
        fetch(server.url("/busy.xml"), allowed_networks=ALLOW_TEST_HOST)
    assert 3590 <= busy.value.retry_after <= 3600


@pytest.mark.parametrize("value", ["soon", "-5", "Sat, 99 Foo 2025"])
def test_an_unreadable_retry_after_is_no_wait_asked(server, value):
    server.routes["/busy.xml"] = Route(429, headers={"Retry-After": value})
    with pytest.raises(FetchError) as busy:
        fetch(server.url("/busy.xml"), allowed_networks=ALLOW_TEST_HOST)
    assert busy.value.retry_after is None


def test_a_retry_after_date_already_past_asks_no_wait(server):
    server.routes["/busy.xml"] = Route(
        429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    with pytest.raises(FetchError) as busy:
        fetch(server.url("/busy.xml"), allowed_networks=ALLOW_TEST_HOST)
    assert busy.value.retry_after == 0


def slow_header_byte_by_byte():
    return [b"HTTP/1.1 200 OK\r\nX-Slow: "] + [b"a"] * 200


def a_hundred_headers():
    return [b"HTTP/1.1 200 OK\r\n"] + [b"X-Header-%d: x\r\n" % n for n in range(100)]


@pytest.mark.parametrize(
    ("chunks", "pause"),
    [(slow_header_byte_by_byte(), 0.1), (a_hundred_headers(), 0.5)],
    ids=["a-header-dripped-byte-by-byte", "a-hundred-headers-half-a-second-apart"],
)
def test_the_deadline_covers_the_response_headers(chunks, pause):
    with RawServer(chunks, pause) as slow:
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline of 2 s passed"):
            fetch(slow.url("/feed.xml"), deadline=2, allowed_networks=ALLOW_TEST_HOST)
        assert time.monotonic() - started < 2.5


def test_the_deadline_covers_a_chain_of_slow_redirects():
    hop = [b"HTTP/1.1 302 Found\r\n", b"Location: /next\r\nContent-Length: 0\r\n\r\n"]
    with RawServer(hop, 0.7) as slow:  # each hop takes 0.7 s, well within 2 s
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline of 2 s passed"):
            fetch(slow.url("/feed.xml"), deadline=2, allowed_networks=ALLOW_TEST_HOST)
        assert time.monotonic() - started < 2.5
        assert slow.connections == 3


def test_the_deadline_covers_a_tls_handshake_that_drips():
    handshake = [b"\x16\x03\x03\x40\x00"] + [
        b"\x02"
    ] * 200  # a record header, then a byte at a time
    with RawServer(handshake, 0.1) as slow:
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline of 2 s passed"):
            fetch(
                slow.url("/feed.xml").replace("http:", "https:"),
                deadline=2,
                allowed_networks=ALLOW_TEST_HOST,
            )
        assert time.monotonic() - started < 2.5
