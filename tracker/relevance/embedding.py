"""Sentence embeddings on CPU from static token vectors shipped in a wheel.

The weights are wordllama's 256-dimension "l2_supercat" token embeddings and
its tokenizer, both inside the installed package: nothing is downloaded, ever.
We read the two files by explicit path rather than through wordllama's loader,
which looks for a ``tokenizer/`` folder the wheel does not have, falls back to
a download, and configures the root logger on import.

A text's vector is the mean of its tokens' vectors, made unit length. An item
keeps two, stored once as float16 (1,024 bytes): its title with the start of
its text, and its title alone — titles carry the topic, and a long text's
asides dilute its mean.
"""

import importlib.util
import threading
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

DIMENSIONS = 256
SUMMARY_CHARS = 400
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
STORED_DTYPE = np.float16
ITEM_WIDTH = 2 * DIMENSIONS  # an item's stored row: [title and text | title alone]
MAX_CACHED_WORDS = 500_000


def _package_dir():
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def embedding_text(title, body):
    """What an item is embedded from: its title and the start of its text."""
    body = body[:SUMMARY_CHARS]
    return f"{title}. {body}" if body else title


def item_texts(title, body):
    """The two texts an item is embedded from, in the order of its stored row."""
    return embedding_text(title, body), title


class Embedder:
    def __init__(self, package_dir=None):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        root = Path(package_dir) if package_dir else _package_dir()
        with safe_open(str(root / _WEIGHTS), framework="np") as weights:
            self.vectors = np.ascontiguousarray(weights.get_tensor("embedding.weight"), np.float32)
        tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self.tokenizer = tokenizer
        # The Rust tokenizer is not safe to share across threads mid-batch.
        self._lock = threading.Lock()
        self._word_ids = {}

    def _token_ids(self, texts):
        """Token ids per text, tokenizing each distinct word once: the tokenizer
        never merges across a space, so a text's tokens are its words' tokens."""
        cache = self._word_ids
        if len(cache) > MAX_CACHED_WORDS:
            cache.clear()
        split = [text.split() for text in texts]
        missing = {word for words in split for word in words if word not in cache}
        if missing:
            missing = sorted(missing)
            with self._lock:
                encodings = self.tokenizer.encode_batch(missing, add_special_tokens=False)
            cache.update(zip(missing, (tuple(e.ids) for e in encodings), strict=True))
        return [list(chain.from_iterable(map(cache.__getitem__, words))) for words in split]

    @property
    def nbytes(self):
        return self.vectors.nbytes

    def embed(self, texts):
        """Unit vectors (float32, one row per text); a text with no tokens gets zeros."""
        texts = list(texts)
        out = np.zeros((len(texts), DIMENSIONS), np.float32)
        if not texts:
            return out
        token_lists = self._token_ids(texts)
        lengths = np.fromiter(map(len, token_lists), np.int64, len(token_lists))
        ids = np.fromiter(chain.from_iterable(token_lists), np.int64, int(lengths.sum()))
        np.clip(ids, 0, len(self.vectors) - 1, out=ids)
        # A (texts by vocabulary) count matrix times the token vectors: sums
        # without materialising one 256-float row per token.
        counts = csr_matrix(
            (np.ones(len(ids), np.float32), ids, np.concatenate(([0], np.cumsum(lengths)))),
            shape=(len(texts), len(self.vectors)),
        )
        sums = np.asarray(counts @ self.vectors, np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        np.divide(sums, norms, out=out, where=norms > 0)
        return out

    def embed_items(self, pairs):
        """Item rows ([text vector | title vector], ITEM_WIDTH floats) for
        (title, body) pairs."""
        pairs = list(pairs)
        texts = [text for title, body in pairs for text in item_texts(title, body)]
        return self.embed(texts).reshape(len(pairs), ITEM_WIDTH)


@cache
def get_embedder():
    """One embedder a process (its weights take ~33 MB), loaded on first use."""
    return Embedder()


def to_bytes(vector):
    return np.asarray(vector, STORED_DTYPE).tobytes()


def matrix_from_bytes(blob, width=DIMENSIONS):
    """Rows of vectors stored back to back by to_bytes."""
    flat = np.frombuffer(bytes(blob), STORED_DTYPE) if blob else np.zeros(0, STORED_DTYPE)
    return flat.reshape(-1, width).astype(np.float32)


def is_item_row(blob):
    """Whether a stored item embedding has the current width (older ones held
    the text vector alone, and are computed again)."""
    return bool(blob) and len(blob) == ITEM_WIDTH * np.dtype(STORED_DTYPE).itemsize


def from_bytes(blobs, width=ITEM_WIDTH):
    """A matrix of stored rows (float32); an empty or odd blob reads as zeros."""
    size = width * np.dtype(STORED_DTYPE).itemsize
    matrix = np.zeros((len(blobs), width), np.float32)
    for row, blob in enumerate(blobs):
        if blob and len(blob) == size:
            matrix[row] = np.frombuffer(bytes(blob), STORED_DTYPE)
    return matrix
