"""Benchmarks of the coverage pipeline on ../shared/corpora/news-feeds/.

Every figure is printed beside a baseline measured in the same run:

  parse     fastfeedparser path (ours)         vs feedparser 6
  match     one Aho-Corasick pass, 10k aliases vs a Python `re` alternation of the same
            terms (same match sets checked item by item); match! is the worst case,
            10k aliases that include the commonest capitalised words
  dedupe    MinHash signature + LSH lookup      items/s
  cpu       parse + clean + words + dedupe + match, no database   items/s
  e2e       import_feed into a fresh PostgreSQL database          items/s
  e2e+rel   the same with relevance on (embedding + scoring + similarity flags),
            and its speed as a share of the run without

Run:  .venv/bin/python bench/ingest.py [--skip-e2e] [--corpus PATH]
The e2e step needs PostgreSQL (DATABASE_URL's server, default 127.0.0.1:5432).
"""

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from common import ROOT, create_database, drop_database, line, setup_django, timed, watched_debate

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "news-feeds"


def bench_parse(files):
    import io

    import feedparser

    from tracker.ingest.parse import parse_feed

    blobs = [path.read_bytes() for path in files]
    megabytes = sum(map(len, blobs)) / 1e6
    ours, ours_time = timed(lambda: [parse_feed(b) for b in blobs])
    theirs, theirs_time = timed(lambda: [feedparser.parse(io.BytesIO(b)) for b in blobs])
    ours_entries = sum(len(f.entries) for f in ours)
    theirs_entries = sum(len(f.entries) for f in theirs)
    line(
        "parse",
        f"{megabytes / ours_time:7.1f} MB/s ({ours_entries} entries in {ours_time:.2f} s)",
        f"feedparser {megabytes / theirs_time:.1f} MB/s "
        f"({theirs_entries} entries in {theirs_time:.2f} s)",
        note=f"ratio {theirs_time / ours_time:.1f}x",
    )
    return ours


def clean_items(parsed_feeds):
    from tracker.ingest.pipeline import clean_entry

    items = []
    for feed in parsed_feeds:
        for entry in feed.entries:
            item = clean_entry(entry, feed.link)
            if not isinstance(item, str):
                items.append(item)
    return items


def make_aliases(items, count=10_000, seed=1, worst_case=False):
    """10,000 distinct alias phrases shaped like actor names: capitalised names
    from the corpus that are not ordinary words there (so not "The" or "In"),
    padded with invented ones. worst_case keeps the ordinary words, so nearly
    every word of the text is an alias occurrence."""
    lowercase, names = Counter(), Counter()
    for item in items:
        lowercase.update(re.findall(r"\b[a-z]+\b", item.text))
        names.update(re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)?\b", item.text))
    aliases = [
        name
        for name, _ in names.most_common()
        if worst_case or not any(lowercase[word.lower()] > 2 for word in name.split())
    ][: count // 2]
    rng = random.Random(seed)
    syllables = ["ka", "lo", "vir", "den", "mar", "tis", "zu", "bel", "orn", "qua", "sen", "rho"]
    seen = {a.casefold() for a in aliases}
    while len(aliases) < count:
        parts = ["".join(rng.choice(syllables) for _ in range(3)).title() for _ in range(2)]
        alias = " ".join(parts)
        if alias.casefold() not in seen:
            seen.add(alias.casefold())
            aliases.append(alias)
    return aliases


def bench_match(items, aliases, baseline_bytes=400_000, label="match"):
    from tracker.ingest.matcher import Matcher
    from tracker.watchquery import make_pattern

    actors = [(n, f"a{n}", [alias]) for n, alias in enumerate(aliases)]
    watch = "(" + " OR ".join(f"@a{n}" for n in range(0, len(aliases), 97)) + ") AND nato"
    matcher = Matcher([(1, watch)], actors)
    streams = [(i.title_words, i.body_words) for i in items]
    megabytes = sum(len(t) + len(b) for t, b in streams) / 1e6
    _, ours_time = timed(lambda: [matcher.match(t, b) for t, b in streams])
    _, scan_time = timed(lambda: [matcher.scan(t) | matcher.scan(b) for t, b in streams])

    # The baseline: one alternation of the same alias patterns, longest first so
    # the longest alias at a position wins; shorter aliases that are word-prefixes
    # of it match there too and are added back, as the automaton reports them.
    keys = {make_pattern(alias, 0, allow_prefix=False).key: alias for alias in aliases}
    alternation = "|".join(
        re.escape(key.decode().strip()) for key in sorted(keys, key=len, reverse=True)
    )
    pattern = re.compile(r" (?=(" + alternation + r") )")
    key_set = set(keys)

    def regex_patterns(words):
        found = set()
        for match in pattern.finditer(words.decode()):
            tokens = match.group(1).split(" ")
            for size in range(1, len(tokens) + 1):
                key = (" " + " ".join(tokens[:size]) + " ").encode()
                if key in key_set:
                    found.add(key)
        return found

    alias_ids = {matcher._ids[key]: key for key in keys}
    sample, size = [], 0
    for title, body in streams:
        sample.append(title + body[1:])
        size += len(sample[-1])
        if size >= baseline_bytes:
            break
    regex_sets, regex_time = timed(lambda: [regex_patterns(s) for s in sample])
    automaton_sets, sample_time = timed(
        lambda: [{alias_ids[p] for p in matcher.scan(s) if p in alias_ids} for s in sample]
    )
    assert regex_sets == automaton_sets, "the automaton and the regex disagree"
    hits = sum(map(len, automaton_sets))
    line(
        label,
        f"{megabytes / ours_time:7.1f} MB/s all debates + actors + cues "
        f"({matcher.pattern_count} patterns; scan alone {megabytes / scan_time:.1f} MB/s)",
        f"re alternation {size / 1e6 / regex_time:.3f} MB/s on a {size / 1e6:.2f} MB sample",
        note=f"ratio {regex_time / sample_time:.0f}x on that sample, same {hits} matches",
    )


def bench_words(items):
    from tracker.watchquery import words

    texts = [i.text for i in items]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    _, elapsed = timed(lambda: [words(t) for t in texts])
    line("words", f"{megabytes / elapsed:7.1f} MB/s normalising text into the word stream")


def bench_dedupe(items):
    from tracker.ingest import dedupe

    def run():
        index = dedupe.NearDuplicateIndex()
        copies = 0
        for n, item in enumerate(items):
            sig = dedupe.signature(item.title_words + item.body_words)
            if index.find(sig) is not None:
                copies += 1
            else:
                index.add(n, sig)
        return copies

    copies, elapsed = timed(run)
    line("dedupe", f"{len(items) / elapsed:9.0f} items/s", note=f"{copies} near-copies found")


def bench_cpu(files, aliases):
    from tracker.ingest import dedupe
    from tracker.ingest.matcher import Matcher
    from tracker.ingest.parse import parse_feed
    from tracker.ingest.pipeline import clean_entry

    actors = [(n, f"a{n}", [alias]) for n, alias in enumerate(aliases)]
    matcher = Matcher([(1, "(NATO OR allies) AND drone*"), (2, "election* NOT football")], actors)
    blobs = [path.read_bytes() for path in files]

    def run():
        index, count = dedupe.NearDuplicateIndex(), 0
        for blob in blobs:
            feed = parse_feed(blob)
            for entry in feed.entries:
                item = clean_entry(entry, feed.link)
                if isinstance(item, str):
                    continue
                sig = dedupe.signature(item.title_words + item.body_words)
                if index.find(sig) is None:
                    index.add(count, sig)
                    matcher.match(item.title_words, item.body_words)
                count += 1
        return count

    count, elapsed = timed(run)
    line("cpu", f"{count / elapsed:9.0f} items/s", note=f"{count} items, parse→match, no database")
    return count / elapsed


def bench_e2e(files, cpu_rate):
    from django.conf import settings
    from django.core.management import call_command

    from tracker.ingest.files import import_files

    call_command("migrate", verbosity=0)

    def fresh():
        call_command("flush", interactive=False, verbosity=0)
        watched_debate()

    rates, cpu_rates = {}, {}
    for relevance in (False, True):
        fresh()
        settings.TRACKER_RELEVANCE = relevance
        cpu = time.process_time()
        (totals, _), elapsed = timed(import_files, [str(f) for f in files])
        cpu = time.process_time() - cpu
        (again, _), again_elapsed = timed(import_files, [str(f) for f in files])
        rates[relevance] = totals.items_new / elapsed
        cpu_rates[relevance] = totals.items_new / cpu
        line(
            "e2e" if not relevance else "e2e+rel",
            f"{rates[relevance]:9.0f} items/s import_feed into PostgreSQL, relevance "
            f"{'on' if relevance else 'off'} ({totals.items_new} new items, "
            f"{totals.flags_created} flags in {elapsed:.2f} s)",
            f"cpu-only {cpu_rate:.0f} items/s",
            note=f"re-import: {again.items_new} new in {again_elapsed:.2f} s",
        )
    line(
        "relevance",
        f"{rates[True] / rates[False]:.2f} of the speed without it by the clock, "
        f"{cpu_rates[True] / cpu_rates[False]:.2f} by this process's CPU time (same run)",
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    size = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"corpus: {len(files)} files, {size:.1f} MB; python {sys.version.split()[0]}; one process"
    )
    database = None if args.skip_e2e else create_database()
    try:
        # Django is set up once, on the throwaway database when there is one.
        setup_django(f"{database[0]}/{database[1]}" if database else None)
        parsed = bench_parse(files)
        items = clean_items(parsed)
        bench_words(items)
        aliases = make_aliases(items)
        bench_match(items, aliases)
        bench_match(items, make_aliases(items, worst_case=True), label="match!")
        bench_dedupe(items)
        cpu_rate = bench_cpu(files, aliases)
        if database:
            bench_e2e(files, cpu_rate)
    finally:
        if database:
            drop_database(*database)


if __name__ == "__main__":
    main()
