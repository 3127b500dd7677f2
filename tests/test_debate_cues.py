"""Stance cues per debate, relative to its own poles: the accept screen suggests
each actor's stance from cues drawn from the debate's pole labels, proposals
and accepted evidence, and uses the shipped lexicon only when the poles say
which way it faces."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tracker.admin.accept import actor_rows
from tracker.ingest.debate_cues import debate_cues, lexicon_orientation

from . import factories as f

TOUGHER = "Poland pushed for a tougher response after the incursion."


def debate(low, high, **texts):
    fields = dict(title="A debate", question="", summary="")
    return SimpleNamespace(low_label=low, high_label=high, **{**fields, **texts})


@pytest.mark.parametrize(
    "low, high, orientation",
    [
        ("conservative", "more aggressive", 1),
        ("more aggressive", "conservative", -1),
        ("restraint", "escalation", 1),
        ("protectionist", "free trade", 0),
        ("dovish", "hawkish", 0),  # no shared words: not guessed
        # "restrictions" is what "loosen restrictions" loosens, not its direction.
        ("restrictive", "permissive", 0),
        ("permissive", "restrictive", 0),
        ("confrontational", "conciliatory", 0),  # nor is what "avoid confrontation" avoids
    ],
)
def test_the_shipped_lexicon_faces_the_poles_only_when_their_labels_say_so(low, high, orientation):
    assert lexicon_orientation(low, high) == orientation


def test_an_escalatory_sentence_reads_toward_whichever_pole_is_escalatory():
    upward = debate_cues(debate("conservative", "more aggressive"))
    assert upward.stance(TOUGHER) == (
        2,
        [
            {"cue": "pushed for", "direction": 1, "source": "general lexicon"},
            {"cue": "tougher response", "direction": 1, "source": "general lexicon"},
        ],
    )
    downward = debate_cues(debate("more aggressive", "conservative"))
    assert downward.stance(TOUGHER)[0] == -2
    # Poles the lexicon knows nothing of: its cues are not applied at all.
    trade = debate_cues(debate("protectionist", "free trade"))
    assert trade.stance(TOUGHER) == (None, [])


def test_loosening_restrictions_reads_toward_the_permissive_end():
    rules = debate_cues(debate("restrictive", "permissive"))
    text = "Warsaw backs loosening restrictions on pilots, and a permissive stance."
    assert rules.stance(text) == (
        1,
        [{"cue": "permissive", "direction": 1, "source": "the “permissive” end"}],
    )


def test_pole_labels_are_cues_in_the_debates_own_words():
    trade = debate_cues(debate("protectionist", "free trade"))
    assert trade.stance("Berlin backs free trade with South America.") == (
        1,
        [{"cue": "free trade", "direction": 1, "source": "the “free trade” end"}],
    )
    assert trade.stance("Paris turned protectionist over beef imports.") == (
        -1,
        [{"cue": "protectionist", "direction": -1, "source": "the “protectionist” end"}],
    )
    # "aggressive" alone counts for "more aggressive"; inside it, once.
    nato = debate_cues(debate("conservative", "more aggressive"))
    assert nato.stance("Vilnius wants a more aggressive stance.")[0] == 1
    assert nato.stance("Vilnius wants an aggressive stance.")[0] == 1


def test_backing_a_proposal_reads_toward_the_escalatory_pole():
    proposals = [SimpleNamespace(title="Arm surveillance drones")]
    upward = debate_cues(debate("conservative", "more aggressive"), proposals)
    text = "Estonia wants to arm surveillance drones along the border."
    assert upward.stance(text) == (
        1,
        [
            {
                "cue": "arm surveillance drones",
                "direction": 1,
                "source": "proposal “Arm surveillance drones”",
            }
        ],
    )
    downward = debate_cues(debate("more aggressive", "conservative"), proposals)
    assert downward.stance(text)[0] == -1


def test_word_pairs_recurring_on_one_side_of_the_evidence_become_cues():
    quotes = [
        ("Rome wants a negotiated ceasefire before any new aid.", -1),
        ("Madrid also argued for a negotiated ceasefire.", -2),
        ("Warsaw rejects talk of any ceasefire.", 2),
        ("A negotiated ceasefire, the minister said, could follow.", 0),  # no side
        ("Allied airspace was violated again.", -1),  # the debate's topic, not a side
        ("Allied airspace must be defended.", -2),
    ]
    cues = debate_cues(
        debate("trade", "sanctions", summary="Russian jets violated allied airspace."), (), quotes
    )
    assert [c for c in cues.cues if c.source == "accepted evidence"] == [
        type(cues.cues[0])("negotiated ceasefire", -1, "accepted evidence")
    ]
    assert cues.stance("Lisbon joined calls for a negotiated ceasefire.")[0] == -1


@pytest.fixture
def accept_world(db):
    """A flag about a trade debate, whose poles the shipped lexicon does not face."""
    berlin = f.ActorFactory(slug="germany", name="Germany", aliases=["Berlin"])
    paris = f.ActorFactory(slug="france", name="France", aliases=["Paris"])
    trade = f.DebateFactory(
        slug="mercosur",
        title="The EU's trade deal with Mercosur",
        question="Should the EU ratify its trade agreement with Mercosur?",
        low_label="protectionist",
        high_label="free trade",
    )
    f.ProposalFactory(debate=trade, title="Ratify the agreement as signed", rung=2)
    item = f.CoverageItemFactory(
        title="Berlin and Paris split over the Mercosur deal",
        summary="<p>Berlin backs free trade and wants to ratify the agreement as signed. "
        "Paris pushed for a tougher response to cheap beef imports and turned "
        "protectionist.</p>",
    )
    flag = f.FlagFactory(item=item, debate=trade, score=3)
    flag.matched_actors.set([berlin, paris])
    return flag


@pytest.mark.django_db
def test_the_accept_screen_suggests_each_actors_stance_from_the_debates_own_cues(accept_world):
    rows = {row.actor.name: row for row in actor_rows(accept_world)}
    assert rows["Germany"].stance == 2
    assert [(r["cue"], r["source"]) for r in rows["Germany"].reasons] == [
        ("free trade", "the “free trade” end"),
        ("ratify the agreement as signed", "proposal “Ratify the agreement as signed”"),
    ]
    # "pushed for a tougher response" is escalatory talk, which says nothing on trade.
    assert rows["France"].stance == -1
    assert [r["cue"] for r in rows["France"].reasons] == ["protectionist"]


@pytest.mark.django_db
def test_the_accept_screen_shows_where_each_cue_came_from(accept_world, client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_flag_accept", args=[accept_world.pk]))
    html = page.content.decode()
    assert 'free trade <span class="cue-source">(the “free trade” end)</span>' in html
    assert "(proposal “Ratify the agreement as signed”)" in html


@pytest.mark.django_db
@pytest.mark.parametrize("stored", [-1, None])
def test_without_cues_the_flags_stored_suggestion_stands(stored):
    """Stored at ingestion already facing the debate's poles (test_import_feed),
    it is shown as it is, with where it came from."""
    nato = f.ActorFactory(slug="nato", name="NATO")
    flag = f.FlagFactory(
        debate=f.DebateFactory(low_label="more aggressive", high_label="conservative"),
        item=f.CoverageItemFactory(title="NATO meets", summary="<p>NATO ministers met.</p>"),
        suggested_stance=stored,
        stance_reasons=[{"cue": "push for", "direction": -1}] if stored else [],
    )
    flag.matched_actors.set([nato])
    (row,) = actor_rows(flag)
    assert row.stance == stored
    if stored:
        assert row.stance_from == "the whole article"
        assert row.reasons == [{"cue": "push for", "direction": -1, "source": "general lexicon"}]
    else:
        assert row.stance_from == ""
