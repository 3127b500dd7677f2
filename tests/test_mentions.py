"""Where a flag's terms and actors occur in a text: the same words the matcher matches."""

import pytest

from tracker.ingest.mentions import (
    find_mentions,
    item_body,
    mark,
    sentences_mentioning,
    strip_dateline,
    tokens,
)

from . import factories as f


def spans(text, mentions):
    return [(text[m.start : m.end], m.label) for m in mentions]


@pytest.fixture
def putin(db):
    return f.ActorFactory(name="Vladimir Putin", slug="vladimir-putin", aliases=["Putin"])


@pytest.fixture
def usa(db):
    return f.CountryFactory(name="United States", slug="usa", country="US", aliases=["U.S."])


def test_words_carry_their_offsets_in_the_original_text():
    text = "The ﬁre, café; U.S."
    assert tokens(text) == [
        ("the", 0, 3), ("fire", 4, 7), ("café", 9, 13), ("u", 15, 16), ("s", 17, 18),
    ]  # fmt: skip


def test_a_decomposed_accent_stays_inside_its_word():
    assert tokens("cafe\u0301s") == [("cafés", 0, 6)]


def test_a_ligature_is_marked_for_a_prefix_term_as_the_matcher_matches_it():
    text = "Allies may open ﬁre on drones."
    assert spans(text, find_mentions(text, terms=["fire*"])) == [("ﬁre", "fire*")]


def test_prefix_terms_match_word_starts_only():
    text = "Drones, a drone-maker and the Androids."
    found = find_mentions(text, terms=["drone*"])
    assert spans(text, found) == [("Drones", "drone*"), ("drone", "drone*")]


def test_a_bare_term_matches_whole_words_whatever_the_case():
    text = "NATO's nato-led natoish force"
    assert spans(text, find_mentions(text, terms=["NATO"])) == [("NATO", "NATO"), ("nato", "NATO")]


def test_a_phrase_term_matches_across_punctuation_and_curly_quotes():
    text = "Allies on the “eastern—flank” met."
    found = find_mentions(text, terms=['"eastern flank"', "@russia"])
    assert spans(text, found) == [("eastern—flank", '"eastern flank"')]


def test_a_multi_word_alias_wins_over_its_shorter_one(putin):
    text = "Vladimir Putin spoke. Later Putin’s aides did."
    found = find_mentions(text, actors=[putin])
    assert spans(text, found) == [("Vladimir Putin", "Vladimir Putin"), ("Putin", "Vladimir Putin")]
    assert {m.actor_id for m in found} == {putin.id}


def test_the_us_alias_matches_the_letters_u_s_not_the_word_us(usa):
    # As the matcher reads it: "U.S." is the words "u s"; "US" is the word "us".
    text = "The U.S. told us, and the US and the U. S. agreed."
    found = find_mentions(text, actors=[usa])
    assert spans(text, found) == [("U.S", "United States"), ("U. S", "United States")]


def test_an_actor_and_a_term_on_the_same_words_are_marked_once(putin):
    text = "Putin warned."
    found = find_mentions(text, terms=["putin"], actors=[putin])
    assert [(m.start, m.end, m.actor_id) for m in found] == [(0, 5, putin.id)]


def test_marking_escapes_hostile_text(putin):
    text = '<script>alert("Putin")</script> & Putin <b>'
    html = mark(text, find_mentions(text, actors=[putin]))
    assert html == (
        "&lt;script&gt;alert(&quot;"
        '<mark class="actor" title="Vladimir Putin">Putin</mark>'
        "&quot;)&lt;/script&gt; &amp; "
        '<mark class="actor" title="Vladimir Putin">Putin</mark> &lt;b&gt;'
    )


def test_marking_escapes_a_hostile_actor_name(db):
    actor = f.ActorFactory(name='"><img src=x>', aliases=["Evil"])
    html = mark("Evil said", find_mentions("Evil said", actors=[actor]))
    assert html == '<mark class="actor" title="&quot;&gt;&lt;img src=x&gt;">Evil</mark> said'


def test_marking_terms_and_line_breaks():
    text = "Drones again.\nMore drones."
    html = mark(text, find_mentions(text, terms=["drone*"]))
    assert html == "<mark>Drones</mark> again.<br>More <mark>drones</mark>."


def test_sentences_mentioning_an_actor_skip_the_dateline(putin, usa):
    text = (
        "WASHINGTON (Wire) — Vladimir Putin tested the U.S. Army again. "
        "Officials met in Brussels. Mr. Rutte said Putin’s drones “are a test.” "
        "Nobody else spoke."
    )
    assert sentences_mentioning(text, putin) == [
        "Vladimir Putin tested the U.S. Army again.",
        "Mr. Rutte said Putin’s drones “are a test.”",
    ]
    assert sentences_mentioning(text, usa) == ["Vladimir Putin tested the U.S. Army again."]


def test_sentences_end_at_a_line_break_and_agency_datelines_go(putin):
    text = "(Reuters) - Putin spoke\nBRUSSELS, Oct 9 (Reuters) - Putin left! Then rain."
    assert sentences_mentioning(text, putin) == ["Putin spoke", "Putin left!"]


def test_a_sentence_without_the_actor_is_not_returned(putin):
    assert sentences_mentioning("The Kremlin spoke. Nobody else did.", putin) == []


def test_only_a_real_dateline_is_stripped():
    assert strip_dateline("LONDON — Allies met.") == "Allies met."
    assert strip_dateline("Allies met — again.") == "Allies met — again."
    assert strip_dateline("U.S. officials said so.") == "U.S. officials said so."
    assert strip_dateline("(Wire) NATO allies met.") == "NATO allies met."
    assert strip_dateline("(Example Wire) — NATO allies met.") == "NATO allies met."
    assert strip_dateline("(in 2024) allies met.") == "(in 2024) allies met."


def test_the_body_of_an_item_leaves_out_a_summary_the_content_repeats(db):
    item = f.CoverageItemFactory(
        summary="<p>Allies met.</p>", content="<p>Allies met.</p><p>They talked.</p>"
    )
    assert item_body(item) == "Allies met. They talked."
    other = f.CoverageItemFactory(summary="Short &amp; sharp.", content="<p>Longer text.</p>")
    assert item_body(other) == "Short & sharp.\nLonger text."


@pytest.mark.parametrize(
    "text",
    [
        "Allies weigh ﬁre-control for DRONES over the Baltic",
        "L’OTAN et la Russie: drones, «retaliation» and the U.S.-led response",
        "\uff2e\uff41\uff54\uff4f’s \uff44\uff52\uff4f\uff4e\uff45 test in Straße 9½ of Tallinn",
        "cafe\u0301 drone_strike drone2 2drones",
    ],
)
def test_a_term_is_marked_exactly_when_the_matcher_finds_it(text):
    from tracker.watchquery import make_pattern, words

    stream = words(text)
    for term in ["drone*", "nato", "fire", "café", "u s", "retaliat*", "9", "strasse", "drone"]:
        in_stream = make_pattern(term, 0).key in stream
        assert bool(find_mentions(text, terms=[term])) == in_stream, term
