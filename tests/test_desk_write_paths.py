"""The panel's ordinary write paths for positions and debates — adding,
publishing, deleting, correcting, taking off the site — submitted as a browser
submits them (every field the page renders, hidden ones included), for each
role. The desk's other records: test_desk_records.py."""

import datetime
import json
import re

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from tracker import desk
from tracker.models import Debate, Evidence, Position

from . import factories as f
from .forms import logged_in, rendered_form, submit


@pytest.mark.django_db
def test_adding_a_position_from_the_panel_saves_a_draft(desk_user):
    actor = f.CountryFactory(name="Estonia", slug="estonia")
    debate = f.DebateFactory(slug="airspace")
    client = logged_in(desk_user)
    response = submit(
        client,
        reverse("admin:tracker_position_add"),
        {
            "actor": str(actor.pk),
            "debate": str(debate.pk),
            "stance": "2",
            "stated_on": "2025-10-09",
            "summary": "Wants armed drones on the eastern flank.",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    position = Position.objects.get()
    assert (position.status, position.stance, position.version) == ("draft", 2, 1)
    assert position.created_by == desk_user


@pytest.mark.django_db
def test_a_position_dated_after_today_is_refused_with_the_reason(editor):
    actor = f.CountryFactory(name="Estonia", slug="estonia")
    debate = f.DebateFactory(slug="airspace")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_position_add"),
        {
            "actor": str(actor.pk),
            "debate": str(debate.pk),
            "stance": "2",
            "stated_on": tomorrow.isoformat(),
            "summary": "Wants armed drones on the eastern flank.",
        },
    )
    assert response.status_code == 200
    assert "is after today" in response.content.decode()
    assert not Position.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31"])
def test_a_position_dated_in_a_mistyped_year_is_refused(editor, typed):
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_position_add"),
        {
            "actor": str(f.CountryFactory().pk),
            "debate": str(f.DebateFactory().pk),
            "stance": "-1",
            "stated_on": typed,
            "summary": "Urges restraint.",
        },
    )
    assert response.status_code == 200
    assert "is before 1900: check the year." in response.content.decode()
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_the_same_position_saved_twice_is_refused_the_second_time(editor):
    actor = f.CountryFactory(name="Estonia", slug="estonia")
    debate = f.DebateFactory(slug="airspace", title="Airspace")
    client = logged_in(editor)
    fields = {
        "actor": str(actor.pk),
        "debate": str(debate.pk),
        "stance": "2",
        "stated_on": "2025-10-09",
        "summary": "Wants armed drones on the eastern flank.",
    }
    assert submit(client, reverse("admin:tracker_position_add"), fields).status_code == 302
    again = submit(client, reverse("admin:tracker_position_add"), fields)
    assert again.status_code == 200
    assert "is already draft" in again.content.decode()
    assert Position.objects.count() == 1
    # A different stance the same day is a shift, not a copy.
    moved = submit(client, reverse("admin:tracker_position_add"), {**fields, "stance": "1"})
    assert moved.status_code == 302
    assert Position.objects.count() == 2


# Deleting: drafts may go; what was ever public may not.


@pytest.mark.django_db
def test_a_publisher_cannot_delete_a_published_position_from_its_page(publisher):
    position = f.PositionFactory()
    f.EvidenceFactory(position=position)
    client = logged_in(publisher)
    url = reverse("admin:tracker_position_delete", args=[position.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    change = client.get(reverse("admin:tracker_position_change", args=[position.pk]))
    assert url not in change.content.decode()
    assert Position.objects.filter(pk=position.pk).exists()
    assert Evidence.objects.filter(position=position).count() == 1


@pytest.mark.django_db
def test_bulk_delete_refuses_published_and_retracted_positions(publisher):
    published = f.PositionFactory()
    retracted = f.PositionFactory(
        status="retracted",
        retraction_reason="Misquoted.",
        retracted_at=datetime.datetime(2025, 10, 12, tzinfo=datetime.UTC),
    )
    draft = f.PositionFactory(status="draft", published_at=None)
    client = logged_in(publisher)
    response = client.post(
        reverse("admin:tracker_position_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [published.pk, retracted.pk, draft.pk],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 403)
    assert set(Position.objects.values_list("pk", flat=True)) == {
        published.pk, retracted.pk, draft.pk,
    }  # fmt: skip
    # Drafts alone may be deleted in bulk.
    client.post(
        reverse("admin:tracker_position_changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert not Position.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_a_publisher_may_delete_a_draft_and_its_evidence(publisher):
    draft = f.PositionFactory(status="draft", published_at=None)
    f.EvidenceFactory(position=draft)
    client = logged_in(publisher)
    response = submit(client, reverse("admin:tracker_position_delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not Position.objects.exists() and not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_of_a_published_position_cannot_be_deleted(editor, publisher):
    evidence = f.EvidenceFactory(position=f.PositionFactory())
    for user in (editor, publisher):
        client = logged_in(user)
        url = reverse("admin:tracker_evidence_delete", args=[evidence.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        client.post(
            reverse("admin:tracker_evidence_changelist"),
            {"action": "delete_selected", "_selected_action": [evidence.pk], "post": "yes"},
        )
    assert Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.django_db
def test_evidence_of_a_retracted_position_that_was_published_stays(publisher):
    position = f.PositionFactory()
    evidence = f.EvidenceFactory(position=position)
    desk.retract(position, publisher, "Misquoted.")
    client = logged_in(publisher)
    url = reverse("admin:tracker_evidence_delete", args=[evidence.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# Publishing in bulk goes through a confirmation that names the shifts.


@pytest.mark.django_db
def test_bulk_publish_asks_first_and_names_the_shifts(publisher):
    estonia = f.CountryFactory(name="Estonia", slug="estonia")
    debate = f.DebateFactory(slug="airspace")
    f.PositionFactory(actor=estonia, debate=debate, stance=-1, stated_on=datetime.date(2025, 9, 1))
    shift = f.ready_draft(
        actor=estonia, debate=debate, stance=1, stated_on=datetime.date(2025, 10, 9)
    )
    fresh = f.ready_draft(debate=debate)
    client = logged_in(publisher)
    changelist = reverse("admin:tracker_position_changelist")
    asked = client.post(
        changelist, {"action": "publish_selected", "_selected_action": [shift.pk, fresh.pk]}
    )
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Full flop: Estonia moved from −1 to +1" in page
    assert Position.objects.filter(status="draft").count() == 2  # nothing published yet

    # Confirming posts the form the page rendered.
    confirm = client.post(
        changelist,
        {"action": "publish_selected", "_selected_action": [shift.pk, fresh.pk], "post": "yes"},
    )
    assert confirm.status_code == 302
    assert Position.objects.filter(status="draft").count() == 0


@pytest.mark.django_db
def test_a_draft_without_evidence_is_not_published_and_the_publisher_is_told(publisher):
    bare = f.PositionFactory(draft=True, summary="Wants a firmer answer.")
    superseded = f.PositionFactory(draft=True, summary="Backs the plan.")
    old = f.EvidenceFactory(position=superseded)
    Evidence.objects.filter(pk=old.pk).update(superseded_at=timezone.now())
    ready = f.ready_draft(summary="Wants jets on the border.")
    client = logged_in(publisher)

    # One at a time: the confirmation says so before, the refusal after.
    publish = reverse("admin:tracker_position_publish", args=[bare.pk])
    asking = client.get(publish).content.decode()
    assert "at least one piece of evidence" in asking
    assert 'value="Publish"' not in asking and "Back to the draft to add evidence" in asking
    refused = client.post(publish, follow=True)
    assert "A position is published with at least one piece of evidence" in (
        refused.content.decode()
    )
    bare.refresh_from_db()
    assert (bare.status, bare.published_at) == ("draft", None)

    # In bulk: the ready draft goes out, the others stay drafts, each named.
    changelist = reverse("admin:tracker_position_changelist")
    chosen = [bare.pk, superseded.pk, ready.pk]
    asked = client.post(changelist, {"action": "publish_selected", "_selected_action": chosen})
    asking = asked.content.decode()
    assert asking.count("No evidence yet: it will be left as a draft.") == 2
    assert "Readers will see 1 of these 3 positions" in asking
    assert 'value="Publish 1"' in asking
    done = client.post(
        changelist,
        {"action": "publish_selected", "_selected_action": chosen, "post": "yes"},
        follow=True,
    )
    notes = [str(m) for m in done.context["messages"]]
    assert sum("at least one piece of evidence" in note for note in notes) == 2
    assert "1 position published." in notes
    assert dict(Position.objects.values_list("summary", "status")) == {
        "Wants a firmer answer.": "draft",
        "Backs the plan.": "draft",
        "Wants jets on the border.": "published",
    }


@pytest.mark.django_db
def test_a_bulk_publication_of_bare_drafts_only_says_none_will_go_out(publisher):
    bare = f.PositionFactory(draft=True, summary="Wants a firmer answer.")
    client = logged_in(publisher)
    changelist = reverse("admin:tracker_position_changelist")
    asked = client.post(changelist, {"action": "publish_selected", "_selected_action": [bare.pk]})
    asking = asked.content.decode()
    assert "None of these positions will go out: a draft without evidence stays a draft." in (
        asking
    )
    assert "0 of these" not in asking and 'value="Publish' not in asking


@pytest.mark.django_db
def test_an_editor_is_not_offered_publish_and_gets_a_page_that_says_why(editor):
    draft = f.PositionFactory(status="draft", published_at=None)
    client = logged_in(editor)
    change = client.get(reverse("admin:tracker_position_change", args=[draft.pk]))
    assert "Publish…" not in change.content.decode()
    assert "A publisher publishes it" in change.content.decode()
    refused = client.get(reverse("admin:tracker_position_publish", args=[draft.pk]))
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Only publishers publish" in body
    assert 'id="site-name"' in body  # the admin's own page, not a bare 403


# What readers see changes only through a publisher.


@pytest.mark.django_db
def test_an_editor_cannot_change_a_published_positions_text_or_evidence(editor):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    evidence = f.EvidenceFactory(position=position, quote="We must raise the cost.")
    client = logged_in(editor)
    url = reverse("admin:tracker_position_change", args=[position.pk])
    page = client.get(url).content.decode()
    assert 'name="summary"' not in page
    assert 'name="evidence-0-quote"' not in page
    # A hand-made POST with the fields of a draft's form changes nothing either.
    prefix = "evidence"
    client.post(
        url,
        {
            "summary": "Changed by hand.",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": str(evidence.pk),
            f"{prefix}-0-position": str(position.pk),
            f"{prefix}-0-quote": "Fake quote",
            f"{prefix}-0-url": "https://evil.example/fake-source",
            f"{prefix}-0-attribution": "on_record",
            f"{prefix}-1-position": str(position.pk),
            f"{prefix}-1-url": "https://evil.example/fake-source",
            f"{prefix}-1-attribution": "on_record",
        },
    )
    position.refresh_from_db()
    evidence.refresh_from_db()
    assert position.summary == "Wants a firmer answer."
    assert evidence.quote == "We must raise the cost." and evidence.url == ""
    assert position.evidence.count() == 1
    # Nor through the evidence pages.
    assert client.get(reverse("admin:tracker_evidence_add")).status_code == 200
    response = submit(
        client,
        reverse("admin:tracker_evidence_change", args=[evidence.pk]),
        {"quote": "Fake quote"},
    )
    evidence.refresh_from_db()
    assert evidence.quote == "We must raise the cost."
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_evidence_cannot_be_added_to_a_published_position_by_hand(editor):
    position = f.PositionFactory()
    client = logged_in(editor)
    submit(
        client,
        reverse("admin:tracker_evidence_add"),
        {
            "position": str(position.pk),
            "url": "https://evil.example/fake-source",
            "attribution": "on_record",
        },
    )
    assert not Evidence.objects.filter(position=position).exists()


def text(response):
    """A page's words as a reader reads them, whitespace collapsed."""
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


@pytest.mark.django_db
def test_a_correction_is_drafted_by_an_editor_and_published_by_a_publisher(editor, publisher):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    old = f.EvidenceFactory(position=position, quote="We must raise the cost.")
    client = logged_in(editor)
    drafted = client.post(reverse("admin:tracker_position_correct", args=[position.pk]))
    assert drafted.status_code == 302
    correction = Position.objects.get(corrects=position)
    assert correction.status == "draft" and correction.evidence.count() == 1
    response = submit(
        client,
        reverse("admin:tracker_position_change", args=[correction.pk]),
        {
            "summary": "Wants a firmer answer, with armed drones.",
            "correction_note": "The quote was from the defence minister, not the president.",
            "evidence-0-quote": "We must raise the cost, and we will.",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    position.refresh_from_db()
    assert position.summary == "Wants a firmer answer."  # not live until published

    publishing = logged_in(publisher)
    publish_page = reverse("admin:tracker_position_publish", args=[correction.pk])
    confirmation = text(publishing.get(publish_page))
    # What readers will see change, before the publisher confirms it.
    for told in (
        "Publish the correction of",
        "Readers will see this note: The quote was from the defence minister, not the president.",
        "Summary now: Wants a firmer answer.",
        "Summary after: Wants a firmer answer, with armed drones.",
        "Evidence taken off: “We must raise the cost.”",
        "Evidence put on: “We must raise the cost, and we will.”",
    ):
        assert told in confirmation, told
    submit(publishing, publish_page, button=("publish", "Publish"))
    position.refresh_from_db()
    assert position.status == "published"
    assert position.summary == "Wants a firmer answer, with armed drones."
    assert position.correction_note.startswith("The quote was from the defence minister")
    assert position.corrected_by == publisher and position.corrected_at is not None
    assert [e.quote for e in position.evidence.filter(superseded_at=None)] == [
        "We must raise the cost, and we will."
    ]
    old.refresh_from_db()
    assert old.position_id == position.pk and old.superseded_at is not None
    assert not Position.objects.filter(corrects=position).exists()
    assert position.history.filter(summary="Wants a firmer answer.").exists()


# Taking a debate off the site is a publisher's act, with a reason.


@pytest.mark.django_db
def test_an_editor_cannot_take_a_public_debate_off_the_site(editor):
    debate = f.DebateFactory(status="active")
    client = logged_in(editor)
    submit(client, reverse("admin:tracker_debate_change", args=[debate.pk]), {"status": "draft"})
    debate.refresh_from_db()
    assert debate.status == "active"


@pytest.mark.django_db
def test_a_publisher_takes_a_debate_off_the_site_with_a_reason(publisher):
    debate = f.DebateFactory(status="active")
    client = logged_in(publisher)
    url = reverse("admin:tracker_debate_withdraw", args=[debate.pk])
    refused = submit(client, url, {"reason": ""})
    assert refused.status_code == 200
    debate.refresh_from_db()
    assert debate.status == "active"
    submit(client, url, {"reason": "Duplicates the airspace debate."})
    debate.refresh_from_db()
    assert debate.status == Debate.Status.DRAFT
    assert debate.withdrawn_reason == "Duplicates the airspace debate."
    assert debate.withdrawn_by == publisher
    change = reverse("admin:tracker_debate_change", args=[debate.pk])
    assert "Duplicates the airspace debate." in client.get(change).content.decode()
    # Back on the site: the page no longer reads as withdrawn; History keeps it.
    assert submit(client, change, {"status": "active"}).status_code == 302
    assert "Duplicates the airspace debate." not in client.get(change).content.decode()
    history = reverse("admin:tracker_debate_history", args=[debate.pk])
    assert "Duplicates the airspace debate." in client.get(history).content.decode()


@pytest.mark.django_db
def test_readers_see_the_corrected_text_with_a_note_and_not_the_old_evidence(publisher, client):
    debate = f.DebateFactory(slug="airspace")
    position = f.PositionFactory(debate=debate, summary="Wants a firmer answer.")
    f.EvidenceFactory(position=position, quote="We must raise the cost.")
    correction = desk.draft_correction(position, publisher)
    correction.summary = "Wants armed drones."
    correction.correction_note = "The first quote was misattributed."
    correction.save()
    correction.evidence.update(quote="We will arm the drones.")
    desk.publish(correction, publisher)

    page = client.get(f"/debates/{debate.slug}/").content.decode()
    assert "Wants armed drones." in page
    assert "The first quote was misattributed." in page
    assert "We will arm the drones." in page
    assert "We must raise the cost." not in page
    api = client.get(f"/api/v1/positions/{position.pk}/").json()
    assert api["correction_note"] == "The first quote was misattributed."
    assert [e["quote"] for e in api["evidence"]] == ["We will arm the drones."]


def stance_options(page):
    """The stance choices a form offers, as the select renders them."""
    select = re.search(r'<select name="stance"[^>]*>(.*?)</select>', page.content.decode(), re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


IN_THE_DEBATES_WORDS = [
    "---------",
    "−2 · strongly conservative",
    "−1 · leaning conservative",
    "0 · between conservative and more aggressive",
    "+1 · leaning more aggressive",
    "+2 · strongly more aggressive",
]


@pytest.mark.django_db
def test_a_drafts_stance_choices_speak_its_debates_words(editor):
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    draft = f.PositionFactory(debate=debate, draft=True)
    page = logged_in(editor).get(reverse("admin:tracker_position_change", args=[draft.pk]))
    assert stance_options(page) == IN_THE_DEBATES_WORDS


@pytest.mark.django_db
def test_a_new_position_opened_for_a_debate_offers_its_words(editor):
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    url = reverse("admin:tracker_position_add")
    client = logged_in(editor)
    assert stance_options(client.get(f"{url}?debate={debate.pk}")) == IN_THE_DEBATES_WORDS
    # Before a debate is chosen, and for one that is not there: the general words.
    for query in ("", "?debate=999999", "?debate=x"):
        assert stance_options(client.get(url + query))[-1] == "+2 · strongly towards the high pole"


@pytest.mark.django_db
def test_a_refused_new_position_comes_back_in_its_debates_words(editor):
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_position_add"),
        {"actor": str(f.CountryFactory().pk), "debate": str(debate.pk), "stance": "1"},
    )
    assert response.status_code == 200  # no date, no summary
    assert stance_options(response) == IN_THE_DEBATES_WORDS
    assert '<option value="1" selected>+1 · leaning more aggressive</option>' in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_the_form_carries_every_debates_words_for_when_the_debate_changes(editor):
    debate = f.DebateFactory(low_label="dovish", high_label="hawkish")
    page = logged_in(editor).get(reverse("admin:tracker_position_add"))
    words = json.loads(
        re.search(r'<script id="stance-words" type="application/json">(.*?)</script>',
                  page.content.decode(), re.S).group(1)
    )  # fmt: skip
    assert words[str(debate.pk)] == [
        [-2, "−2 · strongly dovish"],
        [-1, "−1 · leaning dovish"],
        [0, "0 · between dovish and hawkish"],
        [1, "+1 · leaning hawkish"],
        [2, "+2 · strongly hawkish"],
    ]
    assert words[""][0] == [-2, "−2 · strongly towards the low pole"]


@pytest.mark.django_db
def test_a_page_outside_the_role_says_so_in_the_panel_not_a_bare_forbidden(editor):
    response = logged_in(editor).get(reverse("admin:tracker_datarelease_add"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed: this page is not open to you." in page
    assert "Policy Debate Tracker" in page and "403 Forbidden" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, done, needed, status",
    [
        ("retract", "retracted", "published", "retracted"),
        ("correct", "corrected", "published", "retracted"),
        ("publish", "published", "draft", "published"),
    ],
)
def test_publishing_retracting_or_correcting_in_the_wrong_state_is_refused_before_the_form(
    publisher, action, done, needed, status
):
    position = f.PositionFactory(retracted=True) if status == "retracted" else f.PositionFactory()
    client = logged_in(publisher)
    response = client.get(reverse(f"admin:tracker_position_{action}", args=[position.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:tracker_position_change", args=[position.pk])
    page = client.get(response.url).content.decode()
    assert f"Only a {needed} position can be {done}; this one is {status}." in page


@pytest.mark.django_db
def test_who_did_what_reads_as_a_name_not_a_link_the_desk_cannot_open(editor, publisher):
    position = f.PositionFactory(draft=True, created_by=editor)
    f.EvidenceFactory(position=position)
    desk.publish(position, publisher)
    desk.retract(position, publisher, "Misattributed quote")
    client = logged_in(editor)
    for url in (
        reverse("admin:tracker_position_change", args=[position.pk]),
        reverse("admin:tracker_position_history", args=[position.pk]),
    ):
        page = client.get(url).content.decode()
        assert "/admin/auth/user/" not in page, url
        assert "publisher-user" in page and "editor-user" in page, url
    assert client.get(f"/admin/auth/user/{publisher.pk}/change/").status_code == 403


@pytest.mark.django_db
def test_bulk_deleting_a_published_position_says_why_it_cannot_be(publisher):
    draft = f.PositionFactory(draft=True)
    published = f.PositionFactory()
    response = logged_in(publisher).post(
        reverse("admin:tracker_position_changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk, published.pk]},
    )
    page = response.content.decode()
    assert "published or retracted positions, which are never deleted" in page
    assert "retract or correct them instead" in page
    assert Position.objects.filter(pk__in=[draft.pk, published.pk]).count() == 2


@pytest.mark.django_db
def test_publishing_a_draft_that_says_again_a_published_position_is_flagged_first(publisher):
    day = datetime.date(2025, 10, 9)
    actor, debate = f.CountryFactory(name="France", slug="france", country="FR"), f.DebateFactory()
    earlier = f.PositionFactory(actor=actor, debate=debate, stance=1, stated_on=day)
    again = f.ready_draft(actor=actor, debate=debate, stance=1, stated_on=day)
    later = f.ready_draft(actor=actor, debate=debate, stance=1, stated_on=day.replace(day=20))
    client = logged_in(publisher)
    single = client.get(reverse("admin:tracker_position_publish", args=[again.pk]))
    text = single.content.decode()
    assert "Says again" in text and "the published position of 9 Oct 2025" in text
    assert reverse("admin:tracker_position_change", args=[earlier.pk]) in text
    # A later date is a new statement of the same stance, not a repeat.
    assert (
        "Says again"
        not in client.get(
            reverse("admin:tracker_position_publish", args=[later.pk])
        ).content.decode()
    )
    bulk = client.post(
        reverse("admin:tracker_position_changelist"),
        {"action": "publish_selected", "_selected_action": [again.pk, later.pk]},
    ).content.decode()
    assert bulk.count("Says again") == 1


@pytest.mark.django_db
def test_the_positions_list_reads_stances_in_each_debates_own_words(editor):
    rules = f.DebateFactory(low_label="restrictive", high_label="permissive")
    f.PositionFactory(debate=rules, stance=1)
    page = logged_in(editor).get(reverse("admin:tracker_position_changelist"))
    assert "+1 · leaning permissive" in page.content.decode()
    assert "high pole" not in page.content.decode()


@pytest.mark.django_db
def test_a_draft_published_while_an_editor_edits_it_says_so_and_keeps_their_words(
    editor, publisher
):
    draft = f.PositionFactory(draft=True, summary="Backs a firmer answer.")
    f.EvidenceFactory(position=draft)
    client = logged_in(editor)
    url = reverse("admin:tracker_position_change", args=[draft.pk])
    data = rendered_form(client.get(url).content.decode())
    desk.publish(draft, publisher)  # meanwhile, in another browser
    data["summary"] = "Backs a firmer answer, and armed drones."
    response = client.post(url, data, follow=True)
    page = response.content.decode().replace("&#x27;", "’").replace("&quot;", '"')
    assert response.status_code == 200
    assert f"Not saved: {publisher.get_username()} published this position" in page
    assert "draft a correction" in page
    assert "“Backs a firmer answer, and armed drones.”" in page
    draft.refresh_from_db()
    assert (draft.status, draft.summary) == ("published", "Backs a firmer answer.")


@pytest.mark.django_db
def test_a_refused_draft_moved_to_another_debate_offers_that_debates_words(editor):
    draft = f.PositionFactory(draft=True, debate=f.DebateFactory(low_label="a", high_label="b"))
    other = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    response = submit(
        logged_in(editor),
        reverse("admin:tracker_position_change", args=[draft.pk]),
        {"debate": str(other.pk), "summary": ""},
    )
    assert response.status_code == 200  # no summary
    assert stance_options(response) == IN_THE_DEBATES_WORDS


@pytest.mark.django_db
def test_a_key_of_digits_that_are_no_number_is_not_a_500(editor):
    """ "²" passes str.isdigit() and fails int(): typed into an address or a form
    it is no record's key, as "x" is not."""
    client = logged_in(editor)
    flag_page = client.get("/admin/tracker/flag/%C2%B2/change/")
    assert flag_page.status_code == 404
    response = submit(
        client,
        reverse("admin:tracker_position_add"),
        {"actor": str(f.CountryFactory().pk), "debate": "²", "stance": "1"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_a_correction_of_who_the_sources_are_is_shown_as_a_change_of_evidence(editor, publisher):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    f.EvidenceFactory(
        position=position, attribution="anonymous_officials", source_count=2,
        source_affiliation="NATO officials", quote="",
    )  # fmt: skip
    logged_in(editor).post(reverse("admin:tracker_position_correct", args=[position.pk]))
    correction = Position.objects.get(corrects=position)
    Evidence.objects.filter(position=correction).update(source_count=4)
    page = text(logged_in(publisher).get(
        reverse("admin:tracker_position_publish", args=[correction.pk])
    ))  # fmt: skip
    assert "The evidence stays as it is." not in page
    assert "Evidence changed: (Anonymous officials: " in page
    assert "citing four NATO officials) — source count: 2 → 4" in page
    assert "Evidence taken off:" not in page and "Evidence put on:" not in page


@pytest.mark.django_db
def test_a_correction_of_the_desks_note_on_a_quote_says_what_changed(editor, publisher):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    f.EvidenceFactory(position=position, quote="We must raise the cost.", note="")
    logged_in(editor).post(reverse("admin:tracker_position_correct", args=[position.pk]))
    correction = Position.objects.get(corrects=position)
    Evidence.objects.filter(position=correction).update(note="Said twice that week.")
    page = text(logged_in(publisher).get(
        reverse("admin:tracker_position_publish", args=[correction.pk])
    ))  # fmt: skip
    assert "Evidence changed: “We must raise the cost.”" in page
    assert "— note: — → Said twice that week." in page
    assert "Evidence taken off:" not in page and "Evidence put on:" not in page


@pytest.mark.django_db
def test_a_correction_published_while_an_editor_edits_it_leads_to_what_it_corrected(
    editor, publisher
):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    f.EvidenceFactory(position=position)
    client = logged_in(editor)
    client.post(reverse("admin:tracker_position_correct", args=[position.pk]))
    correction = Position.objects.get(corrects=position)
    correction.correction_note = "The minister, not the president."
    correction.save()
    url = reverse("admin:tracker_position_change", args=[correction.pk])
    data = rendered_form(client.get(url).content.decode())
    desk.publish(correction, publisher)  # meanwhile, in another browser
    data["summary"] = "Wants armed drones."
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("admin:tracker_position_change", args=[position.pk])
    page = client.get(response.url).content.decode()
    assert f"Not saved: {publisher.get_username()} published this correction" in page
    assert "“Wants armed drones.”" in page
    # The draft's address, opened again later, leads to the same place.
    again = client.get(url)
    assert again.status_code == 302 and again.url == response.url
    told = client.get(again.url).content.decode()
    assert f"This correction was published by {publisher.get_username()}; this is the" in told


@pytest.mark.django_db
def test_relabelling_a_debates_poles_turns_its_open_flags_suggestions(editor):
    """A stored suggestion reads escalatory talk toward the pole that says
    escalation; when the labels swap sides, the open flags turn with them,
    and where the new labels do not speak of escalation, they hold none."""
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    reasons = [{"cue": "pushing for", "direction": 1}]
    open_flag = f.FlagFactory(debate=debate, suggested_stance=2, stance_reasons=reasons)
    decided = f.FlagFactory(
        debate=debate,
        suggested_stance=2,
        stance_reasons=reasons,
        status="dismissed",
        decided_at=timezone.now(),
    )
    client = logged_in(editor)
    change = reverse("admin:tracker_debate_change", args=[debate.pk])
    swapped = {"low_label": "more aggressive", "high_label": "conservative"}
    assert submit(client, change, swapped).status_code == 302
    open_flag.refresh_from_db()
    decided.refresh_from_db()
    assert (open_flag.suggested_stance, open_flag.stance_reasons) == (
        -2, [{"cue": "pushing for", "direction": -1}],
    )  # fmt: skip
    assert decided.suggested_stance == 2  # a decided flag is the record of its decision
    assert submit(client, change, {"low_label": "north", "high_label": "south"}).status_code == 302
    open_flag.refresh_from_db()
    assert (open_flag.suggested_stance, open_flag.stance_reasons) == (None, [])


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["published", "retracted"])
def test_a_fixed_positions_page_reads_its_stance_in_the_debates_words(editor, publisher, status):
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    position = f.PositionFactory(debate=debate, stance=2, retracted=status == "retracted")
    url = reverse("admin:tracker_position_change", args=[position.pk])
    for user in (editor, publisher):
        page = logged_in(user).get(url).content.decode()
        assert "+2 · strongly more aggressive" in page
        assert "towards the high pole" not in page
        assert "Opened version" not in page  # the edit form's lock, nothing to read


@pytest.mark.django_db
def test_a_used_up_corrections_publish_link_leads_to_what_it_corrected(editor, publisher):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    f.EvidenceFactory(position=position)
    correction = desk.draft_correction(position, editor)
    correction.correction_note = "The minister, not the president."
    correction.save()
    link = reverse("admin:tracker_position_publish", args=[correction.pk])
    desk.publish(correction, publisher)
    response = logged_in(publisher).get(link)
    assert response.status_code == 302
    assert response.url == reverse("admin:tracker_position_change", args=[position.pk])


@pytest.mark.django_db
def test_retracting_a_position_says_a_correction_of_it_is_drafted(editor, publisher):
    position = f.PositionFactory(summary="Wants a firmer answer.")
    f.EvidenceFactory(position=position)
    correction = desk.draft_correction(position, editor)
    page = (
        logged_in(publisher)
        .get(reverse("admin:tracker_position_retract", args=[position.pk]))
        .content.decode()
    )
    assert "A correction of this position is drafted" in page
    assert reverse("admin:tracker_position_change", args=[correction.pk]) in page


UNSEEN_ONLY = "\u200b\u200f \u2060"  # zero-width space, a direction mark, a word joiner


@pytest.mark.django_db
def test_a_reason_of_characters_nobody_sees_is_no_reason(editor, publisher):
    flag = f.FlagFactory()
    desk.claim_flags(editor, [flag.pk])
    dismissed = logged_in(editor).post(
        reverse("admin:tracker_flag_dismiss", args=[flag.pk]),
        {"reason": UNSEEN_ONLY},
        follow=True,
    )
    assert "Not dismissed: Say why you dismiss it." in dismissed.content.decode()
    flag.refresh_from_db()
    assert flag.status == "claimed"

    position = f.PositionFactory(summary="Wants a firmer answer.")
    retracted = logged_in(publisher).post(
        reverse("admin:tracker_position_retract", args=[position.pk]), {"reason": UNSEEN_ONLY}
    )
    assert "This field is required." in retracted.content.decode()
    position.refresh_from_db()
    assert position.status == "published"

    debate = f.DebateFactory()
    withdrawn = logged_in(publisher).post(
        reverse("admin:tracker_debate_withdraw", args=[debate.pk]), {"reason": UNSEEN_ONLY}
    )
    assert "This field is required." in withdrawn.content.decode()
    debate.refresh_from_db()
    assert debate.withdrawn_at is None

    f.EvidenceFactory(position=position)
    correction = desk.draft_correction(position, editor)
    saved = submit(
        logged_in(editor),
        reverse("admin:tracker_position_change", args=[correction.pk]),
        {"correction_note": UNSEEN_ONLY},
    )
    assert "Say what this corrects, for readers." in saved.content.decode()
