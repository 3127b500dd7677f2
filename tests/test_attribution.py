"""Reading attribution from an article's sentences: unnamed sources, direct
quotes and cited outlets."""

import pytest

from tracker.ingest.attribution import (
    anonymous_sources,
    find_attribution,
    speaks_in,
)

OUTLETS = {"financial times": "FT", "ft": "FT", "reuters": "Reuters"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("This was reported by the Financial Times, citing four NATO officials.",
         (4, "NATO officials")),
        ("Two senior officials said the talks were early.", (2, "senior officials")),
        ("3 diplomats said the talks were early.", (3, "diplomats")),
        ("The plan, according to 12 European diplomats, is ready.", (12, "European diplomats")),
        ("Some capitals want more, one official noted.", (1, "official")),
        ("Several NATO sources confirmed it.", (None, "NATO sources")),
    ],
)  # fmt: skip
def test_unnamed_sources_are_counted_in_words_and_digits(sentence, expected):
    assert anonymous_sources(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "The officials, who have been briefed on the talks, say so.",
        "In 2025 officials met twice.",
        "A group of people gathered.",
    ],
)
def test_no_count_is_made_up(sentence):
    assert anonymous_sources(sentence) is None


def test_a_direct_quote_with_said_is_on_the_record_for_its_speaker_only():
    sentence = '"We are working daily with allies," Whitaker said.'
    assert speaks_in(sentence, ["Matthew Whitaker", "Whitaker"]) == "on_record"
    assert speaks_in("Whitaker says we should respond, without quoting.", ["Whitaker"]) is None
    # An ambassador *to* NATO speaking is not NATO speaking.
    nato_named = 'U.S. Ambassador to NATO Matthew Whitaker said he is "working daily with allies".'
    assert speaks_in(nato_named, ["NATO"]) is None


def test_a_spokesperson_quoted_for_the_actor():
    sentence = '"Russia will respond to any provocation," a Kremlin spokesman, Dmitry Peskov, said.'
    assert speaks_in(sentence, ["Russia", "Kremlin"]) == "spokesperson"


def test_the_seed_sentence_reads_as_four_nato_officials_via_the_ft():
    sentence = (
        "NATO allies are discussing a stronger response to Russian provocations, "
        "the Financial Times reported, citing four NATO officials."
    )
    found = find_attribution([sentence], ["NATO"], OUTLETS)
    assert (found.kind, found.source_count, found.source_affiliation, found.cited_outlet) == (
        "anonymous_officials", 4, "NATO officials", "FT",
    )  # fmt: skip


def test_an_actor_quoted_directly_is_on_the_record_even_if_the_article_cites_officials():
    sentences = ['"We will answer every violation," said Poland.']
    article = "Allies are discussing it, citing four NATO officials, Reuters reported."
    found = find_attribution(sentences, ["Poland"], OUTLETS, fallback_text=article)
    assert found.kind == "on_record" and found.source_count is None
    assert found.cited_outlet == "Reuters"


def test_without_a_cue_in_its_sentences_the_article_decides():
    article = "Two NATO officials told the FT that one pressing issue was the rules."
    found = find_attribution(["France backed the talks."], ["France"], OUTLETS, article)
    assert (found.kind, found.source_count, found.source_affiliation, found.cited_outlet) == (
        "anonymous_officials", 2, "NATO officials", "FT",
    )  # fmt: skip
    plain = find_attribution(["France backed the talks."], ["France"], OUTLETS, "Nothing more.")
    assert (plain.kind, plain.source_count, plain.cited_outlet) == ("outlet_report", None, None)
