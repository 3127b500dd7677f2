"""Our bounded gzip inflation (tracker/ingest/fetch.py `_read_body`) beside
urllib3's own bounded decoding (`response.read(amt, decode_content=True)`,
bounded since urllib3 2.6), in the same run, through the real fetcher and a
real HTTP server on 127.0.0.2:

- a gzipped 8.7 MB feed (3.1 MB on the wire): the median fetch time;
- a gzip bomb (200 MB of zeros, 0.2 MB on the wire) with a 1 MB cap: whether it
  is refused, how fast, and the peak memory (tracemalloc).

    .venv/bin/python bench/gzip_decoding.py
"""

import gzip
import ipaddress
import random
import statistics
import time
import tracemalloc

from common import line, setup_django

ROUNDS = 3
FETCHES = 15
ALLOW = (ipaddress.ip_network("127.0.0.2/32"),)


def urllib3_bounded(response, deadline, max_bytes, watchdog):
    from tracker.ingest.fetch import FetchError, FetchRefused

    body = bytearray()
    sock = getattr(getattr(response, "connection", None), "sock", None)
    while True:
        if sock is not None:
            sock.settimeout(deadline.remaining())
        piece = response.read(65536, decode_content=True)
        if watchdog.fired:
            raise FetchError(f"deadline of {deadline.seconds:g} s passed")
        if not piece:
            return bytes(body)
        body.extend(piece)
        if len(body) > max_bytes:
            raise FetchRefused(f"body larger than {max_bytes} bytes")


def measure(fetch_module, server, feed):
    times = []
    for _ in range(FETCHES):
        start = time.perf_counter()
        result = fetch_module.fetch(
            server.url("/feed.xml"), max_bytes=50_000_000, allowed_networks=ALLOW
        )
        times.append(time.perf_counter() - start)
        assert result.body == feed
    tracemalloc.start()
    start = time.perf_counter()
    try:
        fetch_module.fetch(server.url("/bomb.xml"), max_bytes=1_000_000, allowed_networks=ALLOW)
        refused = "NOT refused"
    except fetch_module.FetchRefused:
        refused = "refused"
    bomb_time = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), refused, bomb_time, peak


def main():
    setup_django()
    from tests.feedserver import FeedServer, Route
    from tracker.ingest import fetch as fetch_module

    random.seed(1)
    words = [f"w{i}".encode() for i in range(5000)]
    feed = b"<rss>" + b" ".join(random.choice(words) for _ in range(1_500_000)) + b"</rss>"
    ours = fetch_module._read_body
    with FeedServer("127.0.0.2") as server:
        server.routes["/feed.xml"] = Route(
            body=gzip.compress(feed), headers={"Content-Encoding": "gzip"}
        )
        server.routes["/bomb.xml"] = Route(
            body=gzip.compress(b"\0" * 200_000_000, compresslevel=9),
            headers={"Content-Encoding": "gzip"},
        )
        measure(fetch_module, server, feed)  # warm up
        for _ in range(ROUNDS):
            figures = {}
            for name, reader in (("ours", ours), ("urllib3", urllib3_bounded)):
                fetch_module._read_body = reader
                figures[name] = measure(fetch_module, server, feed)
            fetch_module._read_body = ours
            for name, (median, refused, bomb_time, peak) in figures.items():
                line(
                    name,
                    f"feed {median * 1000:.1f} ms",
                    note=f"bomb {refused} in {bomb_time * 1000:.1f} ms, peak {peak / 1e6:.2f} MB",
                )


if __name__ == "__main__":
    main()
