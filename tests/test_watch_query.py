import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tracker.ingest.matcher import Matcher
from tracker.models import Debate
from tracker.watchquery import QuerySyntaxError, parse_query, words

from . import factories as f

ACTORS = [
    (1, "russia", ["Russia", "Kremlin", "Moscow"]),
    (2, "vladimir-putin", ["Vladimir Putin", "Putin"]),
    (3, "united-states", ["United States", "U.S."]),
]


def matches(query, text, title=""):
    matcher = Matcher([(7, query)], ACTORS)
    return bool(matcher.match(words(title), words(text)))


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("nato", "NATO allies met", True),
        ("nato", "The natorium is closed", False),  # whole words only
        ("drone*", "Drones crossed", True),
        ("drone*", "Anti-drone systems", True),  # a hyphen separates words
        ("drone*", "Undrones", False),
        ('"eastern flank"', "on the Eastern-Flank today", True),
        ('"eastern flank"', "eastern, flank", True),  # words consecutive, punctuation ignored
        ('"eastern flank"', "the eastern and northern flank", False),
        ("nato AND russia", "NATO met", False),
        ("nato russia", "NATO met Russia", True),  # side by side means AND
        ("nato OR russia", "Russia spoke", True),
        ("nato NOT olympic*", "NATO at the Olympics", False),
        ("nato NOT olympic*", "NATO at the summit", True),
        ("(nato OR allies) AND drone*", "Allies shot down drones", True),
        ("nato AND NOT (olympic OR sport)", "NATO sport", False),
        ("@russia", "The Kremlin said", True),
        ("@vladimir-putin", "Vladimir  Putin spoke", True),
        ("@vladimir-putin", "Vladimir Smith spoke", False),
        ("@united-states", "U.S. officials", True),
        ("@united-states", "officials told us", False),  # "U.S." is a phrase u s, not "us"
        ("straße", "STRASSE", True),  # case-folded
        ("ﬁre", "fire on radar data", True),  # NFKC folds the ligature
        ("russia", "Russia’s drones", True),  # curly apostrophe separates words
        ("a OR b AND c", "a", True),  # AND binds tighter than OR
        ("a OR b AND c", "b", False),
    ],
)
def test_query_semantics(query, text, expected):
    assert matches(query, text) is expected


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("(nato", "missing closing parenthesis", 5),
        ("nato)", "unbalanced closing parenthesis", 4),
        ('nato "eastern flank', "unclosed quotation mark", 5),
        ("nato AND", "the query ends where a term was expected", 8),
        ("NOT nato", "would match every item", 0),
        ("nato OR NOT drones", "would match every item", 0),
        ("dr*one", "* is only allowed at the end", 0),
        ("nato @", "@ must be followed", 5),
        ("nato !!!", "has no letters or digits", 5),
        ("AND nato", "AND needs a term before it", 0),
    ],
)
def test_a_query_that_does_not_parse_says_where(query, message, position):
    with pytest.raises(QuerySyntaxError) as error:
        parse_query(query)
    assert message in error.value.message
    assert error.value.position == position
    assert f"at character {position + 1}" in str(error.value)


def test_an_empty_query_watches_nothing():
    assert parse_query("  ") is None
    assert Matcher([(1, "")], ACTORS).match(words("anything"), words("at all")) == []


@pytest.mark.django_db
def test_a_debate_with_a_broken_query_is_refused_with_the_position():
    debate = f.DebateFactory.build(watch_query="(nato OR allies")
    with pytest.raises(ValidationError) as error:
        debate.full_clean()
    assert "missing closing parenthesis (at character 16)" in str(error.value)


@pytest.mark.django_db
def test_a_debate_query_naming_an_unknown_actor_is_refused():
    f.ActorFactory(slug="russia")
    debate = f.DebateFactory.build(watch_query="nato AND (@russia OR @atlantis)")
    with pytest.raises(ValidationError) as error:
        debate.full_clean()
    assert "no actor with the slug “atlantis” (at character 22)" in str(error.value)


def test_terms_in_the_title_score_higher():
    matcher = Matcher([(1, "nato AND drone*")], ACTORS)
    in_title = matcher.match(words("NATO and drones"), words("nothing"))[0]
    in_body = matcher.match(words("nothing"), words("NATO and drones"))[0]
    assert in_title.score > in_body.score
    assert in_title.matched_terms == ["nato", "drone*"]


def test_matched_actors_are_every_actor_the_item_mentions():
    matcher = Matcher([(1, "drone*")], ACTORS)
    [match] = matcher.match(words("Drones"), words("Putin and the Kremlin; U.S. officials"))
    assert match.matched_actor_ids == [1, 2, 3]


def test_the_suggested_stance_shows_its_cues():
    matcher = Matcher([(1, "nato")], ACTORS)
    [hawkish] = matcher.match(
        words("NATO allies push for a stronger response"), words("ready to shoot down jets")
    )
    assert hawkish.suggested_stance == 2
    assert {r["cue"] for r in hawkish.stance_reasons} == {
        "push for",
        "stronger response",
        "shoot down",
    }
    [dovish] = matcher.match(words("NATO"), words("Allies urged restraint and de-escalation"))
    assert dovish.suggested_stance == -2
    assert {r["direction"] for r in dovish.stance_reasons} == {-1}
    [neutral] = matcher.match(words("NATO"), words("A meeting was held"))
    assert neutral.suggested_stance is None
    assert neutral.stance_reasons == []


def test_one_pass_serves_many_debates():
    matcher = Matcher([(1, "nato"), (2, "drone*"), (3, "olympic*")], ACTORS)
    found = {m.debate_id for m in matcher.match(words("NATO drones"), words(""))}
    assert found == {1, 2}


DEEP_PARENTHESES = "(" * 232 + "nato" + ")" * 232
NOT_40_TIMES = "nato" + " NOT" * 40 + " olympics"


def test_a_query_nested_too_deep_is_refused_with_a_message():
    with pytest.raises(QuerySyntaxError, match="the query nests more than 32 levels deep"):
        parse_query(DEEP_PARENTHESES)
    with pytest.raises(QuerySyntaxError, match="the query nests more than 32 levels deep"):
        parse_query(NOT_40_TIMES)


def test_a_query_32_levels_deep_still_parses():
    assert parse_query("(" * 31 + "nato AND NOT olympics" + ")" * 31) is not None


def test_a_query_longer_than_the_limit_is_refused_with_a_message():
    many_words = " OR ".join(f"word{n}" for n in range(600))  # 6,486 characters
    many_nots = "nato" + " NOT" * 999 + " olympics"  # 4,009 characters
    for query in (many_words, many_nots):
        with pytest.raises(QuerySyntaxError, match="the query is longer than 4,000 characters"):
            parse_query(query)


def test_the_demo_queries_parse():
    demo = json.loads((settings.BASE_DIR / "fixtures" / "demo" / "nato-airspace.json").read_text())
    for debate in demo["debates"]:
        assert parse_query(debate["watch_query"]) is not None


def test_the_matcher_reports_a_query_too_deep_as_a_query_error():
    matcher = Matcher([(7, DEEP_PARENTHESES), (8, "nato")], ACTORS)
    assert "nests more than 32 levels deep" in matcher.errors[7]
    assert [match.debate_id for match in matcher.match(words(""), words("NATO met"))] == [8]


@pytest.mark.django_db
def test_rematch_refuses_a_stored_query_too_deep_with_a_message():
    debate = f.DebateFactory(slug="deep")
    Debate.objects.filter(pk=debate.pk).update(
        watch_query=DEEP_PARENTHESES
    )  # stored before the limit
    with pytest.raises(CommandError, match="nests more than 32 levels deep"):
        call_command("rematch", "--debate", "deep")
