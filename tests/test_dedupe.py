from tracker.ingest import dedupe
from tracker.watchquery import words

STORY = (
    "Allied defence ministers meeting in Brussels discussed on Thursday how to answer "
    "repeated violations of their airspace by Russian drones, including armed patrols "
    "along the eastern flank and looser rules of engagement for air policing missions"
)
COPY = "BRUSSELS (Reuters) - " + STORY + ", officials said."
OTHER = (
    "The city council approved a new budget for public libraries on Tuesday after a "
    "long debate about opening hours, staff numbers and the cost of heating old buildings"
)


def test_near_duplicate_index_finds_the_key_the_original_was_added_under():
    index = dedupe.NearDuplicateIndex()
    index.add("https://example.org/story", dedupe.signature(words(STORY)))
    index.add("https://example.org/libraries", dedupe.signature(words(OTHER)))

    assert index.find(dedupe.signature(words(COPY))) == "https://example.org/story"


def test_near_duplicate_index_finds_nothing_for_an_unrelated_text_or_a_removed_original():
    index = dedupe.NearDuplicateIndex()
    index.add("https://example.org/story", dedupe.signature(words(STORY)))

    assert index.find(dedupe.signature(words(OTHER))) is None
    index.remove("https://example.org/story")
    assert index.find(dedupe.signature(words(COPY))) is None
    assert len(index) == 0
