"""What forms and the admin check on top of the database constraints."""

import pytest
from django.core.exceptions import ValidationError

from tracker.models import Actor, Membership, Position
from tracker.models.common import bare_quote
from tracker.models.stance import describe_stance, format_stance

from . import factories as f


@pytest.mark.django_db
def test_it_rejects_a_country_code_that_is_not_iso_3166():
    actor = Actor(kind="country", name="Atlantis", slug="atlantis", country="XZ")
    with pytest.raises(ValidationError) as error:
        actor.full_clean()
    assert "ISO 3166-1" in str(error.value)


@pytest.mark.django_db
def test_it_accepts_an_iso_country_code_and_names_it():
    actor = Actor(kind="country", name="Estonia", slug="estonia", country="EE")
    actor.full_clean()
    assert actor.country_name == "Estonia"


@pytest.mark.django_db
def test_it_rejects_a_malformed_wikidata_id():
    actor = Actor(kind="bloc", name="B", slug="b", wikidata_id="Q0x")
    with pytest.raises(ValidationError):
        actor.full_clean()


@pytest.mark.django_db
def test_aliases_are_trimmed_deduplicated_and_exclude_the_name():
    actor = f.ActorFactory(name="Russia", aliases=[" Kremlin ", "kremlin", "", "Moscow", "russia"])
    actor.refresh_from_db()
    assert actor.aliases == ["Kremlin", "Moscow"]
    assert actor.names == ["Russia", "Kremlin", "Moscow"]


@pytest.mark.django_db
def test_a_position_on_a_proposal_of_another_debate_is_refused():
    proposal = f.ProposalFactory()
    position = Position(
        actor=f.ActorFactory(),
        debate=f.DebateFactory(),
        proposal=proposal,
        support="support",
        summary="s",
        stated_on="2025-10-09",
    )
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert "another debate" in str(error.value)


@pytest.mark.django_db
def test_a_debate_position_needs_a_stance_and_no_support():
    position = Position(
        actor=f.ActorFactory(),
        debate=f.DebateFactory(),
        support="oppose",
        summary="s",
        stated_on="2025-10-09",
    )
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert set(error.value.message_dict) == {"stance", "support"}


@pytest.mark.django_db
def test_members_belong_only_to_countries_organisations_or_blocs():
    group = f.ActorFactory(kind=Actor.Kind.UNNAMED_GROUP)
    membership = Membership(member=f.ActorFactory(), organization=group)
    with pytest.raises(ValidationError):
        membership.full_clean()


@pytest.mark.parametrize(
    ("stance", "label"),
    [
        (-2, "strongly conservative"),
        (-1, "leaning conservative"),
        (0, "between conservative and more aggressive"),
        (1, "leaning more aggressive"),
        (2, "strongly more aggressive"),
        (None, "no stance"),
    ],
)
def test_stances_are_named_with_the_debates_poles(stance, label):
    assert describe_stance(stance, "conservative", "more aggressive") == label


def test_stances_print_with_a_real_minus_sign():
    assert [format_stance(s) for s in (-2, 0, 1)] == ["−2", "0", "+1"]


@pytest.mark.django_db
def test_the_attribution_chain_reads_outlet_citing_outlet_citing_sources():
    ft = f.OutletFactory(name="Financial Times")
    item = f.CoverageItemFactory(outlet=f.OutletFactory(name="Example Newswire"))
    evidence = f.EvidenceFactory(
        item=item,
        attribution="anonymous_officials",
        cited_outlet=ft,
        source_count=4,
        source_affiliation="NATO officials",
    )
    assert evidence.attribution_chain == (
        "Example Newswire, citing Financial Times, citing four NATO officials"
    )
    assert not evidence.is_on_record


@pytest.mark.django_db
def test_on_record_evidence_names_the_outlet_only():
    item = f.CoverageItemFactory(outlet=f.OutletFactory(name="Example Newswire"))
    evidence = f.EvidenceFactory(item=item, attribution="on_record")
    assert evidence.attribution_chain == "Example Newswire"
    assert evidence.is_on_record


@pytest.mark.django_db
def test_evidence_is_named_by_who_said_it_not_by_a_row_number():
    outlet = f.OutletFactory(name="Example Wire")
    piece = f.EvidenceFactory(
        item=f.CoverageItemFactory(outlet=outlet),
        attribution="anonymous_officials",
        source_count=4,
        source_affiliation="NATO officials",
    )
    assert str(piece) == "Anonymous officials: Example Wire, citing four NATO officials"
    inferred = f.EvidenceFactory(
        item=None, url="https://a.example/", attribution="editor_inference"
    )
    assert str(inferred) == "Editor's inference"


@pytest.mark.django_db
def test_an_unknown_kind_is_a_validation_error_not_a_crash():
    actor = Actor(kind="zzz", name="Somebody", slug="somebody")
    with pytest.raises(ValidationError) as refused:
        actor.full_clean()
    assert "kind" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, refused",
    [
        ("https://www.lemonde.fr/international/article/x", False),
        ("https://[2a00:1450:4001:82a::200e]/x", False),
        ("http://127.0.0.1:8771/admin/", True),
        ("http://localhost/feed", True),
        ("http://intranet/page", True),
        ("http://10.0.0.5/report.pdf", True),
        ("http://[::1]/x", True),
        ("http://[::ffff:10.0.0.5]/x", True),  # a private IPv4 address written as IPv6
        ("http://desk.localhost/x", True),
        # A browser ends the host at the backslash: this opens the reader's own machine.
        ("http://127.0.0.1\\@example.com/", True),
        ("https://desk:secret@example.com/x", "Give the address without a login in it."),
        ("ftp://example.com/x", "Give a web address, starting http:// or https://."),
    ],
)
def test_a_bare_evidence_url_is_one_readers_can_open(url, refused):
    evidence = f.EvidenceFactory.build(position=f.PositionFactory(draft=True), item=None, url=url)
    if refused:
        with pytest.raises(ValidationError) as error:
            evidence.full_clean()
        told = "Give an address readers can open on the web, not a local or private one."
        assert (told if refused is True else refused) in error.value.message_dict["url"]
    else:
        evidence.full_clean()


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("“We will answer firmly.”", "We will answer firmly."),
        ('"We will answer firmly."', "We will answer firmly."),
        ("«Nous répondrons.»", "Nous répondrons."),
        ("„Wir antworten.“", "Wir antworten."),
        ("He said “never” and left.", "He said “never” and left."),
        ("“Never,” he said, “never.”", "“Never,” he said, “never.”"),
        ("  plain words  ", "plain words"),
    ],
)
def test_a_quote_is_kept_without_the_quotation_marks_pasted_around_it(typed, kept):
    assert bare_quote(typed) == kept
