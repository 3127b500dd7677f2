"""Duplicates: exact keys, and near-duplicates by MinHash over word pairs.

Syndicated wire copy reaches many outlets with small edits (a dateline, a
trimmed paragraph, a different headline case). Each item gets a 64-value
MinHash of its word bigrams (rensa, native); candidates come from 16 LSH
bands of 4 values, and a candidate is a copy when the estimated Jaccard
similarity reaches NEAR_DUPLICATE_SIMILARITY.
"""

import hashlib
import struct
from datetime import timedelta
from itertools import pairwise

from rensa import RMinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SEED = 20251009
SIGNATURE_WORDS = 400
NEAR_DUPLICATE_SIMILARITY = 0.5
WINDOW = timedelta(days=3)
_PACK = struct.Struct(f"<{NUM_PERM}I")


def title_key(title_words, outlet_id):
    """Same outlet, same normalised headline: one story re-posted under a new URL.
    Without a known outlet there is no key: different sites share headlines."""
    if not outlet_id or title_words.strip() == b"":
        return ""
    return hashlib.sha256(b"%d|%s" % (outlet_id, title_words)).hexdigest()


def content_hash(*parts):
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def signature(words):
    """The MinHash of the first SIGNATURE_WORDS words' bigrams, as bytes; b"" if too short."""
    tokens = words.split()[:SIGNATURE_WORDS]
    if len(tokens) < 8:
        return b""
    minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update([a + b" " + b for a, b in pairwise(tokens)])
    return _PACK.pack(*minhash.digest())


def similarity(first, second):
    """Estimated Jaccard similarity of two signatures."""
    a, b = _PACK.unpack(first), _PACK.unpack(second)
    return sum(x == y for x, y in zip(a, b, strict=True)) / NUM_PERM


class NearDuplicateIndex:
    """Signatures of recent originals, banded for constant-time candidate lookup.
    Each original is added under a key of the caller's choosing (one kind of key
    per index), which is what find returns."""

    def __init__(self):
        self._bands = [{} for _ in range(BANDS)]
        self._signatures = {}

    @staticmethod
    def _band_keys(sig):
        return [sig[band * ROWS * 4 : (band + 1) * ROWS * 4] for band in range(BANDS)]

    def __len__(self):
        return len(self._signatures)

    def add(self, item_id, sig):
        if not sig or item_id in self._signatures:
            return
        self._signatures[item_id] = sig
        for table, key in zip(self._bands, self._band_keys(sig), strict=True):
            table.setdefault(key, []).append(item_id)

    def remove(self, item_id):
        sig = self._signatures.pop(item_id, None)
        if sig:
            for table, key in zip(self._bands, self._band_keys(sig), strict=True):
                table[key].remove(item_id)

    def find(self, sig):
        """The key of the most similar indexed original, or None."""
        if not sig:
            return None
        candidates = set()
        for table, key in zip(self._bands, self._band_keys(sig), strict=True):
            candidates.update(table.get(key, ()))
        scored = [(similarity(sig, self._signatures[c]), str(c), c) for c in candidates]
        scored = [entry for entry in scored if entry[0] >= NEAR_DUPLICATE_SIMILARITY]
        # The most similar; among equals, the earliest key, so the choice is stable.
        return min(scored, key=lambda entry: (-entry[0], entry[1]))[2] if scored else None
