"""The lexical channel: how much of a debate's own vocabulary an item uses.

A static embedding places every Russia story near a debate about Russian
drones over NATO airspace; the debate's rarer words (airspace, incursion,
rules of engagement, eastern flank) tell them apart. The vocabulary is the
debate's stemmed words — its title, question, pole labels, summary,
proposals and the quotes of its accepted evidence — each weighted by how
rare it is in the stream of coverage itself (inverse document frequency
counted on a sample of stored items), so no word list is written by hand
beyond English's function words.

An item's score is BM25's saturating term weight summed over the vocabulary
and divided by the most it could reach, so it lies in 0…1 and reads as "the
share of the debate's weighted words this item uses".
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import Stemmer

from ..watchquery import words

K1 = 1.2  # BM25 term saturation
B = 0.75  # BM25 length normalisation
MIN_LENGTH = 3  # shorter words (of, to, us) carry no topic
MAX_BODY_BYTES = 2000  # the start of an article, where its topic is
TITLE_REPEAT = 2  # a title's words count twice (BM25F's field weight): it names the topic
# Until the stream holds this many items, word rarity is counted as if the
# rest did not use the debate's words: every word weighs about the same.
MIN_DOCUMENTS = 1000
# English function words: frequent in any text, so rare in none.
STOP_WORDS = frozenset(
    [
        "about", "above", "after", "again", "against", "all", "and", "any", "are", "because",
        "been", "before", "being", "below", "between", "both", "but", "can", "could", "did",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had",
        "has", "have", "having", "her", "here", "hers", "herself", "him", "himself", "his",
        "how", "into", "its", "itself", "just", "more", "most", "not", "now", "off", "once",
        "only", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "some",
        "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these",
        "they", "this", "those", "through", "too", "under", "until", "very", "was", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "you", "your", "yours", "also", "may", "might", "must", "shall", "upon",
        "whether",
    ]
)  # fmt: skip
_stemmer = Stemmer.Stemmer("english")  # Snowball's English stemmer, in C


MAX_CACHED_WORDS = 500_000
_term_of = {}  # a word of a stream (bytes) -> its stem, or "" for a word without topic


@lru_cache(maxsize=50_000)
def stem(word):
    return _stemmer.stemWord(word)


def _tokens(word_stream):
    if isinstance(word_stream, bytes):
        word_stream = word_stream.decode("utf-8", "replace")
    return [w for w in word_stream.split() if len(w) >= MIN_LENGTH and w not in STOP_WORDS]


def stems(word_stream):
    """Stems of a word stream (b" w1 w2 … "), as ingestion computes streams."""
    return [stem(word) for word in _tokens(word_stream)]


def _term(word):
    term = _term_of.get(word)
    if term is None:
        text = word.decode("utf-8", "replace")
        term = "" if len(text) < MIN_LENGTH or text in STOP_WORDS else _stemmer.stemWord(text)
        if len(_term_of) < MAX_CACHED_WORDS:
            _term_of[word] = term
    return term


@dataclass(slots=True)
class Terms:
    """An item's stems and how often each occurs, and how many it has in all."""

    counts: dict
    length: int


def item_stems(title_words, body_words):
    """An item's Terms: its title (counted TITLE_REPEAT times) and the start of
    its text. Each distinct word is looked up once (most are cached), which
    keeps this cheap at ingestion."""
    counts, length = {}, 0
    streams = title_words * TITLE_REPEAT + body_words[:MAX_BODY_BYTES]
    for word, times in Counter(streams.split()).items():
        term = _term(word)
        if term:
            counts[term] = counts.get(term, 0) + times
            length += times
    return Terms(counts, length)


@dataclass
class Lexicon:
    """A debate's weighted vocabulary ({stem: weight}), the stream's mean item
    length, and a word to show for each stem."""

    weights: dict
    mean_length: float
    labels: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, texts, stream):
        """From the debate's texts (str) and the Terms of a sample of the
        stream, which give each word its rarity."""
        counts, labels = Counter(), {}
        for text in texts:
            for word in _tokens(words(text)):
                counts[stem(word)] += 1
                labels.setdefault(stem(word), word)
        documents = max(len(stream), MIN_DOCUMENTS)
        frequency = Counter()
        for item in stream:
            frequency.update(item.counts.keys() & counts.keys())
        weights = {}
        for term, count in counts.items():
            # BM25's inverse document frequency, floored at zero: words most
            # items use say nothing about the topic. A word the debate uses
            # often is part of its topic: log-damped weight for repeats.
            df = frequency[term]
            idf = math.log((documents - df + 0.5) / (df + 0.5))
            if idf > 0:
                weights[term] = round(idf * (1 + math.log(count)), 4)
        lengths = [item.length for item in stream]
        mean = sum(lengths) / len(lengths) if lengths else 100.0
        labels = {term: labels[term] for term in weights}
        return cls(weights, round(max(mean, 1.0), 2), labels)

    def _parts(self, item):
        counts = item.counts
        norm = K1 * (1 - B + B * item.length / self.mean_length)
        for term in counts.keys() & self.weights.keys():
            tf = counts[term]
            yield self.weights[term] * tf * (K1 + 1) / (tf + norm), term

    def score(self, items):
        """Each item's share (0…1) of the debate's weighted words, for Terms."""
        total = sum(self.weights.values()) * (K1 + 1)
        if not total:
            return np.zeros(len(items), np.float32)
        return np.array(
            [sum(part for part, _ in self._parts(item)) / total for item in items], np.float32
        )

    def words_in(self, item):
        """The debate's words an item uses, the most telling first."""
        found = sorted(self._parts(item), reverse=True)
        return [self.labels.get(term, term) for _, term in found]

    def as_dict(self):
        return {"weights": self.weights, "mean_length": self.mean_length, "labels": self.labels}

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(
            dict(data.get("weights", {})),
            float(data.get("mean_length", 100.0)),
            dict(data.get("labels", {})),
        )
