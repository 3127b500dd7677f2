"""Accepting a flag: one row per actor the article mentions, each with its own
stance, quote and attribution read from that actor's own sentences, logged as
draft positions in one go. Empty rows below add an actor the matcher missed
(or a new one, through the admin's "+" popup)."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize

from .. import desk
from ..ingest.attribution import find_attribution
from ..ingest.debate_cues import debate_cues
from ..ingest.mentions import item_body, sentences_mentioning, strip_dateline
from ..models import Actor, Evidence, Flag, Outlet, Position, Proposal
from ..models.common import not_after_today, not_before_1900
from ..models.positions import MOST_SOURCES
from ..models.stance import STANCE_VALUES, format_stance
from .forms import KnownKeysSelect
from .pages import panel_page, refused

EXTRA_ROWS = 2
QUOTE_SENTENCES = 3
EVIDENCE_FIELDS = ("quote", "attribution", "source_count", "source_affiliation", "cited_outlet")


def cues_for(debate):
    """The debate's own stance cues: its poles, its proposals, the shipped
    lexicon turned to face its poles, and its accepted evidence."""
    quotes = Evidence.objects.filter(
        position__debate=debate, position__proposal=None, superseded_at=None
    ).values_list("quote", "position__stance")
    return debate_cues(debate, debate.proposals.all(), quotes)


def _whole_article(flag, cues, body):
    """(stance, reasons) of the whole article with the debate's cues; failing
    those, the suggestion stored with the flag at ingestion (the shipped
    lexicon, already facing the debate's poles, or none where it does not)."""
    stance, reasons = cues.stance(f"{flag.item.title}. {body}")
    if stance is not None or flag.suggested_stance is None:
        return stance, reasons
    stored = [{**reason, "source": "general lexicon"} for reason in flag.stance_reasons]
    return flag.suggested_stance, stored


def stance_in_words(debate, value):
    """ "+2 · strongly more aggressive", in the debate's own words."""
    return f"{format_stance(value)} · {debate.describe_stance(value)}"


def stance_choices(debate):
    return [(value, stance_in_words(debate, value)) for value in STANCE_VALUES]


def _known_outlets():
    known = {}
    for outlet in Outlet.objects.only("id", "name", "aliases"):
        for name in outlet.names:
            known.setdefault(" ".join(name.casefold().split()), outlet)
    return known


@dataclass
class ActorRow:
    """What the screen proposes for one matched actor, and why."""

    actor: Actor
    subject: bool
    sentences: list
    stance: int | None
    reasons: list = field(default_factory=list)
    stance_from: str = ""  # "its sentences", "the whole article" or ""
    initial: dict = field(default_factory=dict)

    @property
    def cues(self):
        return [f"{'+' if r['direction'] > 0 else '−'} {r['cue']}" for r in self.reasons]


def actor_rows(flag):
    """One ActorRow per matched actor, unticked, the actors the debate is about last."""
    item = flag.item
    body = item_body(item)
    subjects = set(flag.debate.subjects.values_list("id", flat=True))
    outlets = _known_outlets()
    cues = cues_for(flag.debate)
    whole = None
    rows = []
    actors = sorted(flag.matched_actors.all(), key=lambda a: (a.id in subjects, a.name))
    for actor in actors:
        sentences = sentences_mentioning(body, actor) or sentences_mentioning(item.title, actor)
        stance, reasons = cues.stance(" ".join(sentences))
        stance_from = "its sentences" if stance is not None else ""
        if stance is None:
            whole = whole or _whole_article(flag, cues, body)
            stance, reasons = whole
            stance_from = "the whole article" if stance is not None else ""
        found = find_attribution(sentences, actor.names, outlets, fallback_text=body)
        cited = found.cited_outlet or item.cited_outlet
        if cited is not None and cited.id == item.outlet_id:
            cited = item.cited_outlet
        initial = {
            # Nothing is logged unless the editor ticks it: an article names
            # bystanders (the country a drone fell in) as readily as the actors
            # whose positions it reports, and a suggestion is not a decision.
            "take": False,
            "actor": actor,
            "stance": stance,
            "summary": item.title,
            "quote": strip_dateline(" ".join(sentences[:QUOTE_SENTENCES])),
            "attribution": found.kind,
            "source_count": found.source_count,
            "source_affiliation": found.source_affiliation,
            "cited_outlet": cited,
        }
        rows.append(
            ActorRow(
                actor, actor.id in subjects, sentences, stance, reasons or [], stance_from, initial
            )
        )
    return rows


class AcceptForm(forms.Form):
    """What every row shares: the proposal (if any) and the date."""

    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.none(),
        required=False,
        help_text="Leave empty for a stance on the debate as a whole.",
    )
    stated_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[not_before_1900, not_after_today],
    )

    def __init__(self, *args, flag, **kwargs):
        item = flag.item
        initial = {"stated_on": item.published_at.date() if item.published_at else None}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["proposal"].queryset = flag.debate.proposals.all()


class ActorRowForm(forms.Form):
    """One actor's draft position and its evidence; only ticked rows are logged."""

    take = forms.BooleanField(required=False, label="Log")
    actor = forms.ModelChoiceField(queryset=Actor.objects.all(), required=False)
    stance = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    support = forms.ChoiceField(choices=[("", "—"), *Position.Support.choices], required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    attribution = forms.ChoiceField(
        choices=Evidence.Attribution.choices, initial=Evidence.Attribution.OUTLET_REPORT
    )
    source_count = forms.IntegerField(
        min_value=1, max_value=MOST_SOURCES, required=False, label="How many"
    )
    source_affiliation = forms.CharField(max_length=200, required=False, label="Who")
    cited_outlet = forms.ModelChoiceField(
        queryset=Outlet.objects.order_by("name"), required=False, label="Citing"
    )

    def __init__(self, *args, debate, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stance"].choices = [("", "—"), *stance_choices(debate)]
        if self.initial.get("actor"):
            self.fields["actor"].widget = forms.HiddenInput()
        else:
            # An actor the matcher did not find: search, or create it in a popup.
            actor_field = Position._meta.get_field("actor")
            search = KnownKeysSelect(actor_field, admin_site)
            search.choices = self.fields["actor"].choices  # the widget reads the field's choices
            self.fields["actor"].widget = RelatedFieldWidgetWrapper(
                search,
                actor_field.remote_field,
                admin_site,
                can_add_related=True,
                can_change_related=False,
                can_view_related=False,
            )

    def clean(self):
        data = super().clean()
        if data.get("take"):
            if not data.get("actor"):
                self.add_error("actor", "Choose the actor, or untick this row.")
            if not (data.get("summary") or "").strip():
                self.add_error("summary", "Say in a line what the position is.")
        return data


class BaseActorRowFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        taken = [form.cleaned_data["actor"] for form in self.forms if form.cleaned_data.get("take")]
        if not taken:
            raise ValidationError("Tick at least one actor to log a position for.")
        seen = set()
        for actor in taken:
            if actor.id in seen:
                raise ValidationError(f"{actor} is ticked twice; log one position per actor.")
            seen.add(actor.id)

    def drafts(self, shared):
        """(form, Draft) for every ticked row."""
        result = []
        for form in self.forms:
            data = form.cleaned_data
            if not data.get("take"):
                continue
            draft = desk.Draft(
                actor=data["actor"],
                stance=data["stance"],
                summary=data["summary"].strip(),
                stated_on=shared["stated_on"],
                proposal=shared["proposal"],
                support=data["support"],
                evidence={key: data[key] for key in EVIDENCE_FIELDS},
            )
            result.append((form, draft))
        return result


ActorRowFormSet = forms.formset_factory(ActorRowForm, formset=BaseActorRowFormSet, extra=0)


def _check_drafts(drafts, flag, user, header):
    """Attach the Position and Evidence rules' complaints to the rows they concern."""
    valid = True
    for form, draft in drafts:
        position = draft.position(flag, user)
        for candidate in (position, draft.evidence_for(position, flag)):
            try:
                candidate.full_clean(exclude=["position"] if candidate is not position else None)
            except ValidationError as error:
                valid = False
                for name, problems in error.message_dict.items():
                    target = form if name in form.fields else header
                    target.add_error(name if name in target.fields else None, problems)
    return valid


def accept_view(model_admin, request, pk):
    """The accept screen for FlagAdmin: editors and publishers only."""
    if not (
        model_admin.has_change_permission(request) and request.user.has_perm("tracker.add_position")
    ):
        return refused(model_admin, request, "Accepting flags is for editors and publishers.")
    flag = get_object_or_404(
        Flag.objects.select_related(
            "item__outlet", "item__cited_outlet", "debate", "assignee", "decided_by"
        ),
        pk=pk,
    )
    rows = actor_rows(flag)
    blank = {"take": False, "summary": flag.item.title, "cited_outlet": flag.item.cited_outlet}
    data = request.POST if request.method == "POST" else None
    header = AcceptForm(data, flag=flag)
    formset = ActorRowFormSet(
        data,
        prefix="actors",
        initial=[row.initial for row in rows] + [blank] * EXTRA_ROWS,
        form_kwargs={"debate": flag.debate, "admin_site": model_admin.admin_site},
    )
    for form, row in zip(formset.forms, rows, strict=False):
        form.row = row
    if data is not None and header.is_valid() and formset.is_valid():
        drafts = formset.drafts(header.cleaned_data)
        if _check_drafts(drafts, flag, request.user, header):
            try:
                positions = desk.accept_flag(request.user, flag, [d for _, d in drafts])
            except desk.FlagTaken as taken:
                model_admin.message_user(request, f"Not accepted: {taken}.", messages.ERROR)
                return redirect("admin:tracker_flag_changelist")
            except ValidationError as error:
                header.add_error(None, error)
            else:
                names = ", ".join(position.actor.name for position in positions)
                model_admin.message_user(
                    request,
                    f"Accepted: {len(positions)} draft position{pluralize(len(positions))} "
                    f"logged ({names}).",
                )
                if len(positions) == 1:
                    return redirect("admin:tracker_position_change", positions[0].pk)
                return redirect("admin:tracker_position_changelist")
    # Named at the top: a row in error may be far down a long page.
    rows_in_error = []
    if data is not None:
        for number, form in enumerate(formset.forms):
            if form.errors:
                row = getattr(form, "row", None)
                rows_in_error.append((number, row.actor.name if row else "a new actor"))
    # Said before anything is typed: the accept would be refused on submit.
    not_yours = desk.refusal(flag, request.user)
    if not_yours:
        held = "; ask them to give it back first" if flag.status in desk.OPEN else ""
        not_yours += f". Anything typed here would be refused{held}"
    context = {
        "not_yours": not_yours,
        "rows_in_error": rows_in_error,
        "is_nav_sidebar_enabled": False,  # the rows need the width
        "title": "Accept into draft positions",
        "flag": flag,
        "header": header,
        "formset": formset,
        "flag_stance": format_stance(flag.suggested_stance),
        "flag_stance_words": flag.debate.describe_stance(flag.suggested_stance),
        # A formset takes its media from its first form, a matched row with no
        # search widget; the empty rows' autocomplete needs its own.
        "media": sum((form.media for form in formset), model_admin.media + header.media),
    }
    return panel_page(model_admin, request, "admin/tracker/flag/accept.html", context)
