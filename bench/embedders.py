"""Which embedding, and which way of scoring, ranks the labelled set best.

No database: the corpora are parsed and cleaned as ingestion does, each item
is scored against the demo debate's profile (its title, question, summary,
proposals and the seed article), and the ranking is judged on one half of the
labels only (--half tune, the default, or --half report), the other half's
items left out of the ranking. Prints speed (items/s on one core, title +
400-character summary) and the process's memory.

Run:  .venv/bin/python bench/embedders.py [--half tune|report]
"""

import os

# One core: numpy's BLAS and the tokenizer's thread pool each get one thread.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from common import ROOT, line, setup_django, timed  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
DEMO = ROOT / "fixtures" / "demo" / "nato-airspace.json"


def label_half(url):
    """Which half a label belongs to, fixed by its URL (not by its grade or text)."""
    return (
        "tune"
        if hashlib.sha1(url.encode(), usedforsecurity=False).digest()[0] % 2 == 0
        else "report"
    )


def load_labels(half):
    from tracker.ingest.urls import canonical_url

    raw = json.loads((CORPORA / "relevance" / "labels.json").read_text())["labels"]
    mine = {canonical_url(u): g for u, g in raw.items() if half in (None, label_half(u))}
    other = {canonical_url(u) for u in raw if half and label_half(u) != half}
    return mine, other


def clean_corpus():
    from tracker.ingest.parse import parse_feed
    from tracker.ingest.pipeline import clean_entry

    files = sorted((CORPORA / "news-feeds").iterdir()) + sorted(
        (CORPORA / "relevance" / "economist-dev").iterdir()
    )
    items = {}
    for path in files:
        feed = parse_feed(path.read_bytes())
        for entry in feed.entries:
            item = clean_entry(entry, feed.link)
            if not isinstance(item, str):
                items.setdefault(item.canonical_url, item)
    return list(items.values())


def debate_passages():
    demo = json.loads(DEMO.read_text())
    debate = demo["debates"][0]
    passages = [debate["title"], debate["question"], debate["summary"]]
    passages += [f"{p['title']}. {p['description']}" for p in debate["proposals"]]
    seed = demo["coverage"][0]
    body = (DEMO.parent / seed["content_file"]).read_text()
    passages.append(f"{seed['title']}. {body[:400]}")
    return debate, demo["actors"], passages


def judge(scores, urls, labels, excluded, flagged=None):
    order = [i for i in np.argsort(-scores, kind="stable") if urls[i] not in excluded]
    relevant = [labels.get(urls[i], 0) > 0 for i in order]
    total = sum(relevant)  # those left out (already decided, say) not counted
    rank = {urls[i]: n for n, i in enumerate(order, 1)}
    top60 = sum(relevant[:60])
    result = {
        "p@10": sum(relevant[:10]) / 10,
        "p@20": sum(relevant[:20]) / 20,
        "top60": f"{top60}/{total}",
        "central_rank": sorted(rank[u] for u, g in labels.items() if g == 2 and u in rank),
    }
    if flagged is not None:
        result["flagged"] = int(flagged.sum())
    return result


def bench_tfidf(texts, passages):
    """The no-model baseline: TF-IDF fitted on the corpus (scikit-learn, which
    the project does not depend on: install it to see this line)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        print("tfidf    skipped: pip install scikit-learn for the TF-IDF baseline")
        return None
    start = time.perf_counter()
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2)
    matrix = tfidf.fit_transform(texts)
    print(f"tfidf    fitted on the corpus in {time.perf_counter() - start:.2f} s")
    centroid = np.asarray(tfidf.transform([" ".join(passages)]).todense()).ravel()
    return matrix @ centroid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--half", choices=["tune", "report"], default="tune")
    args = parser.parse_args()
    setup_django()
    from tracker.ingest.matcher import Matcher
    from tracker.relevance.embedding import embedding_text, get_embedder

    items = clean_corpus()
    urls = [i.canonical_url for i in items]
    labels, excluded = load_labels(args.half)
    debate, actors, passages = debate_passages()
    print(f"{len(items)} items; {len(labels)} labels in the {args.half} half")

    matcher = Matcher(
        [(1, debate["watch_query"])],
        [(n, a["slug"], [a["name"], *a.get("aliases", [])]) for n, a in enumerate(actors)],
    )
    keyword = np.array(
        [sum(m.score for m in matcher.match(i.title_words, i.body_words)) for i in items]
    )
    print("keyword ", judge(keyword, urls, labels, excluded, keyword > 0))

    texts = [embedding_text(i.title, i.text[len(i.title) + 1 :]) for i in items]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    embedder, load_time = timed(get_embedder)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    vectors, cold = timed(embedder.embed, texts)
    _, warm = timed(embedder.embed, texts)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line(
        "embed",
        f"{len(texts) / cold:9.0f} items/s first pass, {len(texts) / warm:.0f} items/s "
        f"with the word cache warm (wordllama l2_supercat 256-d, one core)",
        note=f"{len(texts)} items; loaded in {load_time:.2f} s; weights "
        f"{embedder.nbytes / 1e6:.0f} MB; max RSS +{(loaded - before) / 1024:.0f} MB loading, "
        f"+{(after - loaded) / 1024:.0f} MB embedding",
    )
    profile = embedder.embed(passages)

    tfidf = bench_tfidf(texts, passages)
    if tfidf is not None:
        print("tfidf   ", judge(tfidf, urls, labels, excluded))

    mean = vectors.mean(axis=0)

    def unit(matrix):
        return matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12)

    centred, centred_profile = unit(vectors - mean), unit(profile - mean)
    variants = {
        "centroid": vectors @ unit(profile.mean(axis=0)),
        "max": (vectors @ profile.T).max(axis=1),
        "c-centroid": centred @ unit(centred_profile.mean(axis=0)),
        "c-max": (centred @ centred_profile.T).max(axis=1),
        "c-mean": (centred @ centred_profile.T).mean(axis=1),
    }
    for name, scores in variants.items():
        print(f"{name:<8}", judge(scores, urls, labels, excluded))
    near = np.array([matcher.closeness(i.title_words, i.body_words)[1] or 0.0 for i in items])
    for name in ("centroid", "c-centroid", "c-max"):
        for weight in (0.05, 0.1, 0.2, 0.3):
            hybrid = variants[name] + weight * near
            print(f"{name}+{weight}q", judge(hybrid, urls, labels, excluded))
    if tfidf is not None:
        for weight in (0.05, 0.1, 0.2):
            print(f"tfidf+{weight}q", judge(tfidf + weight * near, urls, labels, excluded))


if __name__ == "__main__":
    main()
