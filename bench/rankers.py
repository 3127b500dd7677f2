"""Which way of ranking coverage for a debate works best, measured offline.

No database: the corpora are parsed and cleaned as ingestion does (as in
bench/embedders.py), each item is scored against the demo debate's own texts
(title, question with its pole labels, summary, proposals, the seed article and
the evidence quotes the demo accepted), and the ranking is judged on one half
of the labels (--half tune, the default; --half report for the held-out half).

Every channel is built from the debate's words and the stream itself, never
from the labelled articles: the embedding (whole text, and the title alone),
a lexical channel (BM25 of the debate's stemmed words, with inverse document
frequencies counted on the stream), and the watch query's closeness.

Run:  .venv/bin/python bench/rankers.py [--half tune|report] [--third]
(--third: only the third round of variants: coverage, recency, actors,
clusters, best sentences, nearest accepted minus nearest dismissed)
"""

import os

for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from common import setup_django  # noqa: E402
from embedders import DEMO, clean_corpus, judge, load_labels  # noqa: E402


def demo_texts():
    """The demo debate's passages as the app builds them, and its evidence quotes."""
    demo = json.loads(DEMO.read_text())
    debate = demo["debates"][0]
    passages = [debate["title"]]
    passages.append(f"{debate['question']} ({debate['low_label']} or {debate['high_label']})")
    passages.append(debate["summary"])
    passages += [f"{p['title']}. {p['description']}" for p in debate["proposals"]]
    seed = demo["coverage"][0]
    body = (DEMO.parent / seed["content_file"]).read_text()
    accepted = [f"{seed['title']}. {body[:400]}"]
    quotes = sorted(
        {e["quote"] for p in debate["positions"] for e in p.get("evidence", [])}, key=len
    )
    return debate, demo["actors"], passages, accepted, quotes


def fit_logistic(x, y, steps=50, start=(1.0, 0.0)):
    """(slope, centre) of p = sigmoid(slope * (x - centre)), by Newton's method
    from start (slope, centre)."""
    x = np.asarray(x, np.float64)
    a, b = start[0], -start[0] * start[1]
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a * x + b)))
        w = p * (1 - p) + 1e-9
        grad = np.array([((p - y) * x).sum(), (p - y).sum()])
        hess = np.array([[(w * x * x).sum(), (w * x).sum()], [(w * x).sum(), w.sum()]])
        a, b = np.array([a, b]) - np.linalg.solve(hess, grad)
    return a, -b / a


def variants(
    show,
    items,
    rows,
    near,
    keep,
    relevant,
    embedder,
    passages,
    passage_vectors,
    accepted,
    quotes,
    profile,
):
    """Variants measured for precision at the top of the queue, before and
    after an editor decides its first 10 (accepted if labelled in this half).
    The app now counts a title's words twice, and adds the classifier once
    there are decisions."""
    from tracker.relevance import classifier, lexical, scoring

    text = rows[:, : scoring.DIMENSIONS]
    texts = passages + quotes + accepted
    accepted_vectors = embedder.embed(accepted)

    def unit(vector):
        return vector / np.linalg.norm(vector)

    def z(values):
        return (values - values.mean()) / values.std()

    def stems_with(title_repeat=lexical.TITLE_REPEAT, lead=0):
        shipped, lexical.TITLE_REPEAT = lexical.TITLE_REPEAT, title_repeat
        try:
            return [
                lexical.item_stems(i.title_words, i.body_words[:lead] + i.body_words) for i in items
            ]
        finally:
            lexical.TITLE_REPEAT = shipped

    def prior(profile, stems, texts=texts, accepted=None, dismissed=None):
        """The app's sum of channels (standard units), the stream's spread measured here."""
        lexicon = lexical.Lexicon.fit(texts, stems)
        scorer = scoring.DebateScorer(
            1,
            profile,
            passages,
            passage_vectors,
            lexicon=lexicon,
            accepted_vectors=accepted,
            dismissed_vectors=dismissed,
        )
        meaning, words = scorer.meaning(rows, near, dismissed=False), scorer.words(stems)
        scorer.stats = {
            "meaning": [meaning.mean(), meaning.std()],
            "words": [words.mean(), words.std()],
        }
        return scorer.prior_logit(rows, near, stems) / scoring.PRIOR_SLOPE + scoring.PRIOR_CENTRE

    def first(scores, count, skip=()):
        return [i for i in np.argsort(-scores, kind="stable") if keep[i] and i not in skip][:count]

    def lr(positives, dismissed):
        """The per-debate classifier (classifier.py), the corpus as its stream."""
        return text @ classifier.fit(positives, dismissed, text)

    title_once, title_twice = stems_with(1), stems_with(2)
    before = prior(profile, title_once)
    show("variants: before (title once, not centred)", before)
    show("  BM25 title x2", prior(profile, title_twice))
    show("  BM25 title x3", prior(profile, stems_with(3)))
    show("  BM25 lead (first 600 bytes) x2", prior(profile, stems_with(1, 600)))
    top = first(before, 10)
    lead = [f"{items[i].title}. {items[i].text[len(items[i].title) + 1 :][:400]}" for i in top]
    moved = unit(profile + 0.5 * text[top].mean(0))
    show("  PRF: profile + 0.5 x top-10 mean", prior(moved, title_once))
    show("  PRF: top-10 texts join the vocabulary", prior(profile, title_once, texts + lead))
    centred = unit(profile - text.mean(axis=0))
    show("  profile contrasted with the stream", prior(centred, title_once))
    positives = np.vstack([passage_vectors, accepted_vectors])
    show(
        "  + 0.5 z(classifier, no decisions: debate vs stream)",
        before + 0.5 * z(lr(positives, np.zeros((0, scoring.DIMENSIONS)))),
    )
    show("  contrasted + title x2", prior(centred, title_twice))
    shipped = prior(profile, title_twice)

    for name, scores in (("before", before), ("shipped (title x2)", shipped)):
        stems = title_once if name == "before" else title_twice
        decided = first(scores, 10)
        yes = [i for i in decided if relevant[i]]
        no = [i for i in decided if not relevant[i]]
        kept = np.vstack([accepted_vectors, text[yes]])
        learnt = unit(passage_vectors.mean(0) + kept.mean(0))
        words = texts + [f"{items[i].title}. {items[i].text[:400]}" for i in yes]
        after = prior(learnt, stems, words, kept, text[no])
        print(f"{name}: the first 10 decided, {len(yes)} accepted; the rest of the ranking:")
        show("  as the app learns (Rocchio, dismissed margin)", after, decided)
        model = lr(np.vstack([passage_vectors, kept]), text[no])
        weights = (0.5, 1.0, 1.5) if name == "before" else (0.5, 1.0)
        for weight in weights:
            show(f"  + {weight} z(classifier)", after + weight * z(model), decided)
        if name != "before":
            continue
        saved, scoring.DISMISSED_WEIGHT = scoring.DISMISSED_WEIGHT, 4.0
        show("  dismissed margin x4 (not 2)", prior(learnt, stems, words, kept, text[no]), decided)
        scoring.DISMISSED_WEIGHT = saved
        nearest = (text @ kept.T).max(1) - (text @ text[no].T).max(1)
        show("  + 0.5 z(nearest accepted - nearest dismissed)", after + 0.5 * z(nearest), decided)
    print(f"spread of the channels' sum: {before.std():.2f} standard units")


def third_round(
    show,
    items,
    rows,
    near,
    keep,
    relevant,
    embedder,
    passages,
    passage_vectors,
    accepted,
    quotes,
    profile,
    matcher,
):
    """Third round: signals not yet measured for the top of the queue — coverage
    (how many outlets carry a story, recency), the debate's actors together, a
    profile contrasted with the stream's nearest clusters, an item's best
    sentence, and nearest accepted minus nearest dismissed beside the classifier."""
    import re
    from datetime import datetime
    from urllib.parse import urlsplit

    from scipy.cluster.vq import kmeans2

    from tracker.relevance import classifier, lexical, scoring

    text = rows[:, : scoring.DIMENSIONS]
    texts = passages + quotes + accepted
    accepted_vectors = embedder.embed(accepted)
    stems = [lexical.item_stems(i.title_words, i.body_words) for i in items]

    def unit(vector):
        return vector / np.linalg.norm(vector, axis=-1, keepdims=True)

    def z(values):
        values = np.asarray(values, np.float64)
        return (values - values.mean()) / max(values.std(), 1e-9)

    def prior(profile, texts=texts, accepted=None, dismissed=None):
        lexicon = lexical.Lexicon.fit(texts, stems)
        scorer = scoring.DebateScorer(
            1,
            profile,
            passages,
            passage_vectors,
            lexicon=lexicon,
            accepted_vectors=accepted,
            dismissed_vectors=dismissed,
        )
        meaning, words = scorer.meaning(rows, near, dismissed=False), scorer.words(stems)
        scorer.stats = {
            "meaning": [meaning.mean(), meaning.std()],
            "words": [words.mean(), words.std()],
        }
        return scorer.prior_logit(rows, near, stems) / scoring.PRIOR_SLOPE + scoring.PRIOR_CENTRE

    def first(scores, count):
        return [i for i in np.argsort(-scores, kind="stable") if keep[i]][:count]

    shipped = prior(profile)
    show("round 3: shipped (title x2)", shipped)

    # (e) coverage: neighbours carrying the same story, from other outlets.
    hosts = np.array([urlsplit(i.canonical_url).hostname or "" for i in items])
    copies = {}
    for threshold in (0.8, 0.9):
        count = np.zeros(len(items))
        for start in range(0, len(items), 500):
            similar = text[start : start + 500] @ text.T >= threshold
            for row, mask in enumerate(similar, start):
                count[row] = len(set(hosts[mask]) - {hosts[row]})
        copies[threshold] = np.log1p(count)
        print(f"  items carried by another outlet at cosine >= {threshold}: {(count > 0).sum()}")
    for threshold, signal in copies.items():
        for weight in (0.25, 0.5):
            show(
                f"  + {weight} z(outlets carrying it, cos>={threshold})",
                shipped + weight * z(signal),
            )
    stamps = np.array(
        [
            i.published_at.timestamp() if isinstance(i.published_at, datetime) else np.nan
            for i in items
        ]
    )
    # Some feeds date items to year 1: a story's age is read by its rank.
    stamps = np.where(np.isnan(stamps), np.nanmedian(stamps), stamps)
    recency = np.argsort(np.argsort(stamps, kind="stable")) / len(stamps)
    for weight in (0.25, 0.5):
        show(f"  + {weight} z(recency rank)", shipped + weight * z(recency))

    # The debate's actors mentioned together.
    mentioned = np.array(
        [
            len(matcher.mentioned(matcher.scan(i.title_words) | matcher.scan(i.body_words)))
            for i in items
        ]
    )
    print(f"  actors mentioned: mean {mentioned.mean():.2f}, max {mentioned.max()}")
    for weight in (0.25, 0.5, 1.0):
        show(f"  + {weight} z(log 1 + actors mentioned)", shipped + weight * z(np.log1p(mentioned)))
    show("  + 0.5 z(3+ actors together)", shipped + 0.5 * z(mentioned >= 3))

    # A profile contrasted with the stream's clusters nearest to it.
    rng = np.random.default_rng(0)
    centroids, assigned = kmeans2(text.astype(np.float64), 60, seed=rng, minit="++")
    sizes = np.bincount(assigned, minlength=len(centroids))
    closeness = unit(centroids) @ profile
    order = np.argsort(-closeness)
    print(
        "  nearest clusters (cosine, size):",
        [(round(float(closeness[c]), 2), int(sizes[c])) for c in order[:6]],
    )
    for skip, count, weight in ((0, 3, 0.3), (0, 3, 0.5), (1, 3, 0.5), (0, 5, 0.5), (1, 5, 0.3)):
        off = unit(centroids[order[skip : skip + count]].mean(0))
        contrasted = unit(profile - weight * off)
        show(f"  profile - {weight} x clusters {skip + 1}..{skip + count}", prior(contrasted))

    # An item's best sentence (pairs of sentences) against the debate.
    split = re.compile(r"(?<=[.!?])\s+")
    owners, pieces = [], []
    for n, item in enumerate(items):
        sentences = [s for s in split.split(item.text) if len(s) > 30][:60]
        windows = [" ".join(sentences[k : k + 2]) for k in range(0, max(len(sentences) - 1, 1))]
        pieces += windows or [item.text[:400]]
        owners += [n] * max(len(windows), 1)
    vectors = embedder.embed(pieces)
    owners = np.array(owners)
    to_profile = vectors @ profile
    to_passage = (vectors @ passage_vectors.T).max(1)
    best_profile = np.full(len(items), -1.0)
    best_passage = np.full(len(items), -1.0)
    np.maximum.at(best_profile, owners, to_profile)
    np.maximum.at(best_passage, owners, to_passage)
    print(f"  {len(pieces)} sentence pairs embedded")
    show("  best sentence pair to the profile, alone", best_profile)
    show("  best sentence pair to a passage, alone", best_passage)
    for weight in (0.25, 0.5, 1.0):
        show(f"  + {weight} z(best sentence pair to profile)", shipped + weight * z(best_profile))
    for weight in (0.5, 1.0):
        show(f"  + {weight} z(best sentence pair to a passage)", shipped + weight * z(best_passage))

    # The same windows read by words: the debate's vocabulary and the watch
    # query within an item's best pair of sentences, not over its whole text.
    from tracker.watchquery import words as to_words

    window_words = [to_words(piece) for piece in pieces]
    window_stems = [lexical.item_stems(b"", w) for w in window_words]
    lexicon = lexical.Lexicon.fit(texts, stems)
    best_words = np.zeros(len(items))
    np.maximum.at(best_words, owners, lexicon.score(window_stems))
    best_query = np.zeros(len(items))
    window_near = [matcher.closeness(b"", w)[1] or 0.0 for w in window_words]
    np.maximum.at(best_query, owners, np.array(window_near))
    show("  best window's words alone", best_words)
    for weight in (0.25, 0.5, 1.0):
        show(f"  + {weight} z(best window's words)", shipped + weight * z(best_words))
        show(f"  + {weight} z(best window's query share)", shipped + weight * z(best_query))
    show(
        "  + 0.5 z(best window words) + 0.5 z(best window profile)",
        shipped + 0.5 * z(best_words) + 0.5 * z(best_profile),
    )

    # Labelled items the shipped ranking leaves below 40: what each signal sees
    # in them (standard units; actors as a count).
    order = np.argsort(-shipped, kind="stable")
    rank = {i: r for r, i in enumerate([i for i in order if keep[i]], 1)}
    channels = {
        "words": z(lexicon.score(stems)),
        "best window words": z(best_words),
        "best window profile": z(best_profile),
        "actors": mentioned,
    }
    for i in np.flatnonzero(relevant):
        if rank.get(i, 0) > 40:
            print(
                f"    rank {rank[i]}: {items[i].title[:70]}",
                {k: round(float(v[i]), 2) for k, v in channels.items()},
            )

    # After the first 10 decided: nearest accepted minus nearest dismissed beside the classifier.
    decided = first(shipped, 10)
    yes = [i for i in decided if relevant[i]]
    no = [i for i in decided if not relevant[i]]
    kept = np.vstack([accepted_vectors, text[yes]])
    learnt = unit(passage_vectors.mean(0) + kept.mean(0))
    words = texts + [f"{items[i].title}. {items[i].text[:400]}" for i in yes]
    after = prior(learnt, words, kept, text[no])
    model = z(text @ classifier.fit(np.vstack([passage_vectors, kept]), text[no], text))
    nearest = z((text @ kept.T).max(1) - (text @ text[no].T).max(1))
    app = after + model
    print(f"round 3 after the first 10 decided, {len(yes)} accepted; the rest:")
    show("  shipped (Rocchio + classifier)", app, decided)
    for weight in (0.5, 1.0):
        show(f"  shipped + {weight} z(nearest acc - nearest dis)", app + weight * nearest, decided)
    show("  Rocchio + 1.0 z(nearest acc - dis), no classifier", after + nearest, decided)
    sentence_near = np.full(len(items), -1.0)
    np.maximum.at(sentence_near, owners, (vectors @ kept.T).max(1) - (vectors @ text[no].T).max(1))
    show("  shipped + 0.5 z(best sentence: acc - dis)", app + 0.5 * z(sentence_near), decided)
    for weight in (0.5, 1.0):
        show(
            f"  shipped + {weight} z(best sentence pair to profile)",
            app + weight * z(best_profile),
            decided,
        )
        show(
            f"  shipped + {weight} z(log 1 + actors)",
            app + weight * z(np.log1p(mentioned)),
            decided,
        )
    return mentioned, best_profile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--half", choices=["tune", "report"], default="tune")
    parser.add_argument("--top", type=int, default=0, help="print the first N of the ranking")
    parser.add_argument("--third", action="store_true", help="only the third round of variants")
    args = parser.parse_args()
    setup_django()
    from tracker.ingest.matcher import Matcher
    from tracker.relevance import lexical, scoring
    from tracker.relevance.embedding import get_embedder

    items = clean_corpus()
    urls = [i.canonical_url for i in items]
    labels, excluded = load_labels(args.half)
    debate, actors, passages, accepted, quotes = demo_texts()
    print(f"{len(items)} items; {len(labels)} labels in the {args.half} half")
    keep = np.array([u not in excluded for u in urls])
    relevant = np.array([labels.get(u, 0) > 0 for u in urls], float)[keep]

    def show(name, scores, decided=()):
        left_out = excluded | {urls[i] for i in decided}
        print(f"{name:<48}", judge(scores, urls, labels, left_out), flush=True)

    matcher = Matcher(
        [(1, debate["watch_query"])],
        [(n, a["slug"], [a["name"], *a.get("aliases", [])]) for n, a in enumerate(actors)],
    )
    near = np.array([matcher.closeness(i.title_words, i.body_words)[1] or 0.0 for i in items])

    embedder = get_embedder()
    start = time.process_time()
    rows = embedder.embed_items((i.title, i.text[len(i.title) + 1 :]) for i in items)
    embed_cpu = time.process_time() - start
    passage_vectors = embedder.embed(passages)
    profile = passage_vectors.mean(axis=0) + embedder.embed(accepted).mean(axis=0)
    profile /= np.linalg.norm(profile)

    start = time.process_time()
    stem_lists = [lexical.item_stems(i.title_words, i.body_words) for i in items]
    lexicon = lexical.Lexicon.fit(passages + quotes + accepted, stem_lists)
    scorer = scoring.DebateScorer(1, profile, passages, passage_vectors, lexicon=lexicon)
    words = scorer.words(stem_lists)
    lexical_cpu = time.process_time() - start
    print(
        f"CPU for {len(items)} items: embedding text and title {embed_cpu:.2f} s, "
        f"stems and lexical score {lexical_cpu:.2f} s"
    )

    def z(values):
        return (values - values.mean()) / values.std()

    def meaning(title_weight):
        text, title = rows[:, : scoring.DIMENSIONS], rows[:, scoring.DIMENSIONS :]
        return (1 - title_weight) * (text @ profile) + title_weight * (title @ profile)

    if args.third:
        third_round(
            show,
            items,
            rows,
            near.astype(np.float32),
            keep,
            np.array([labels.get(u, 0) > 0 for u in urls]),
            embedder,
            passages,
            passage_vectors,
            accepted,
            quotes,
            profile,
            matcher,
        )
        return

    keyword = [sum(m.score for m in matcher.match(i.title_words, i.body_words)) for i in items]
    show("keyword score", np.array(keyword, float))
    show("before: cosine + 0.2 query", meaning(0) + 0.2 * near)
    for weight in (0.3, 0.5):
        show(f"cosine, title weight {weight} + 0.2 query", meaning(weight) + 0.2 * near)
    show("words alone", words)
    titles_only = [lexical.item_stems(i.title_words, b"") for i in items]
    show("words of the title alone", scorer.words(titles_only))
    for weight in (0.5, 1.0, 1.5):
        show(
            f"z(cosine + 0.2q) + {weight} z(words)", z(meaning(0) + 0.2 * near) + weight * z(words)
        )
    for title in (0.3, 0.5):
        for weight in (0.5, 1.0):
            show(
                f"z(cosine t{title} + 0.2q) + {weight} z(words)",
                z(meaning(title) + 0.2 * near) + weight * z(words),
            )

    def ranks(values):
        order = np.empty(len(values))
        order[np.argsort(-values, kind="stable")] = np.arange(len(values))
        return order

    show(
        "reciprocal rank fusion",
        1 / (60 + ranks(meaning(0) + 0.2 * near)) + 1 / (60 + ranks(words)),
    )

    relevant_all = np.array([labels.get(u, 0) > 0 for u in urls])
    variants(
        show,
        items,
        rows,
        near.astype(np.float32),
        keep,
        relevant_all,
        embedder,
        passages,
        passage_vectors,
        accepted,
        quotes,
        profile,
    )

    # What the app computes: channels in standard units of the stream.
    meaning_now = scorer.meaning(rows, near.astype(np.float32), dismissed=False)
    scorer.stats = {
        "meaning": [float(meaning_now.mean()), float(meaning_now.std())],
        "words": [float(words.mean()), float(words.std())],
    }
    print("stream stats:", {k: [round(x, 4) for x in v] for k, v in scorer.stats.items()})
    logit = scorer.prior_logit(rows, near.astype(np.float32), stem_lists)
    total = logit / scoring.PRIOR_SLOPE + scoring.PRIOR_CENTRE
    show("as shipped (scoring.py)", total)
    slope, centre = fit_logistic(total[keep], relevant)
    probability = scoring.sigmoid(logit)[keep]
    print(
        f"logistic fit on this half: slope {slope:.2f}, centre {centre:.2f} (shipped "
        f"{scoring.PRIOR_SLOPE}, {scoring.PRIOR_CENTRE}); at relevance >= {scoring.FLAG_AT}: "
        f"{int((probability >= scoring.FLAG_AT).sum())} items; promised "
        f"{probability.sum():.1f} relevant for {int(relevant.sum())}"
    )
    alone = (meaning_now - scorer.stats["meaning"][0]) / scorer.stats["meaning"][1]
    slope, centre = fit_logistic(alone[keep], relevant)
    print(
        f"meaning channel alone (too little stream to weigh words): slope {slope:.2f}, "
        f"centre {centre:.2f} (shipped {scoring.MEANING_SLOPE}, {scoring.MEANING_CENTRE})"
    )
    if args.top:
        order = [i for i in np.argsort(-total) if urls[i] not in excluded][: args.top]
        for rank, i in enumerate(order, 1):
            print(
                f"{rank:3d} {labels.get(urls[i], 0)} {scoring.sigmoid(logit[i]):.3f} "
                f"{items[i].title[:60]} {lexicon.words_in(stem_lists[i])[:6]}"
            )


if __name__ == "__main__":
    main()
