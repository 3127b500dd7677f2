from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import path

from .. import desk
from ..models import Debate, Evidence, Position
from ..models.common import one_line
from ..models.stance import STANCE_CHOICES
from .accept import stance_choices, stance_in_words
from .forms import (
    LOCK_FIELD,
    EvidenceSourceForm,
    HttpsURLFieldsMixin,
    KnownKeysMixin,
    OptimisticLockForm,
    SaidField,
    record_key,
)
from .history import NOTHING, HistoryAdmin
from .pages import panel_page, refused
from .users import user_name


def is_public_record(position):
    return position is not None and position.on_public_record


class EvidenceRows(forms.BaseInlineFormSet):
    """Rows of a position's evidence: the same source and quote twice is one
    piece typed twice (the model checks the rows stored, this the rows sent)."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or form.errors:
                continue
            passage = tuple(form.instance.passage().values())
            if passage in seen:
                raise ValidationError(Evidence.TWICE)
            seen.add(passage)


class EvidenceInline(KnownKeysMixin, HttpsURLFieldsMixin, admin.StackedInline):
    model = Evidence
    form = EvidenceSourceForm
    formset = EvidenceRows
    extra = 0
    autocomplete_fields = ["item", "cited_outlet"]
    fields = [
        ("item", "url"),
        "quote",
        ("attribution", "speaker"),
        ("source_count", "source_affiliation", "cited_outlet"),
        "note",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).current()

    # Evidence of a public position changes only through a published correction.
    def has_add_permission(self, request, obj=None):
        return not is_public_record(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_public_record(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_public_record(obj) and super().has_delete_permission(request, obj)


class RetractForm(forms.Form):
    reason = SaidField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to readers beside the retracted position.",
    )


class PositionForm(OptimisticLockForm):
    class Meta:
        model = Position
        fields = [
            "actor",
            "debate",
            "proposal",
            "stance",
            "support",
            "stated_on",
            "summary",
            "correction_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        debate = self._chosen_debate()
        if debate is not None and "stance" in self.fields:
            # In the debate's own words once it is known, as on the accept screen;
            # position.js relabels them when another debate is chosen.
            self.fields["stance"].choices = [("", "---------"), *stance_choices(debate)]

    def _chosen_debate(self):
        """The debate as submitted, as saved, or as the add link gave it."""
        chosen = self.data.get(self.add_prefix("debate")) if self.is_bound else None
        if not chosen and self.instance.debate_id:
            return self.instance.debate
        key = record_key(Debate, chosen or self.initial.get("debate"))
        return None if key is None else Debate.objects.filter(pk=key).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.corrects_id and not one_line(cleaned.get("correction_note") or ""):
            self.add_error("correction_note", "Say what this corrects, for readers.")
        if self.instance.pk is None and not self.instance.corrects_id:
            self._refuse_a_second_copy(cleaned)
        return cleaned

    def _refuse_a_second_copy(self, cleaned):
        """The same actor, stance and date on the same debate or option, drafted or
        published already, is a double save; new evidence belongs on that one."""
        same = {name: cleaned.get(name) for name in ("actor", "debate", "stated_on")}
        if None in same.values():
            return
        existing = (
            Position.objects.filter(
                **same,
                proposal=cleaned.get("proposal"),
                stance=cleaned.get("stance"),
                support=cleaned.get("support") or "",
                status__in=[Position.Status.DRAFT, Position.Status.PUBLISHED],
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            raise ValidationError(
                "%(position)s is already %(status)s (number %(pk)s): add evidence to it "
                "instead of logging it twice.",
                params={
                    "position": existing,
                    "status": existing.get_status_display().lower(),
                    "pk": existing.pk,
                },
            )


def stance_words_by_debate():
    """{debate id: [[value, words]…]} for position.js, "" for no debate yet."""
    words = {"": [list(choice) for choice in STANCE_CHOICES]}
    for debate in Debate.objects.only("id", "low_label", "high_label"):
        words[str(debate.pk)] = [list(choice) for choice in stance_choices(debate)]
    return words


# What readers see of a piece of evidence: a correction that changes any of it
# takes the piece off and puts the new one on.
READ_OF_EVIDENCE = [
    *("item_id", "url", "quote", "attribution", "speaker", "note"),
    *("source_count", "source_affiliation", "cited_outlet_id"),
]


def _same_passage(one, other):
    return (one.item_id, one.url, one.quote) == (other.item_id, other.url, other.quote)


def _evidence_changes(old, new):
    """'source count: 2 → 4', for each field readers see that differs."""

    def shown(evidence, name):
        field = Evidence._meta.get_field(name)
        value = getattr(evidence, field.name)
        if field.choices:
            value = getattr(evidence, f"get_{field.name}_display")()
        return NOTHING if value in (None, "") else str(value)

    return [
        f"{Evidence._meta.get_field(name).verbose_name}: {shown(old, name)} → {shown(new, name)}"
        for name in READ_OF_EVIDENCE
        if getattr(old, name) != getattr(new, name)
    ]


@admin.register(Position)
class PositionAdmin(HistoryAdmin):
    form = PositionForm
    change_form_template = "admin/tracker/position/change_form.html"
    list_display = [
        "actor",
        "debate",
        "proposal",
        "stance_on_the_debate",
        "support",
        "stated_on",
        "status",
        "published_at",
    ]
    list_filter = ["status", "debate", "actor__kind", "stated_on"]
    list_select_related = ["actor", "debate", "proposal"]
    search_fields = ["actor__name", "debate__title", "proposal__title", "summary"]
    autocomplete_fields = ["actor", "debate", "proposal"]
    date_hierarchy = "stated_on"
    inlines = [EvidenceInline]

    class Media:
        js = ["tracker/admin/position.js"]

    actions = ["publish_selected"]
    # Status changes only through publish and retract, which check the role;
    # whatever a form posts for these fields is ignored.
    PUBLICATION = [
        "status",
        "publication",
        "created_by_name",
        "published_by_name",
        "published_at",
        "retracted_by_name",
        "retracted_at",
        "retraction_reason",
    ]
    always_readonly = [*PUBLICATION, "corrects", "corrected_by_name", "corrected_at", "created_at"]
    created_by_name = user_name("created_by")
    published_by_name = user_name("published_by")
    retracted_by_name = user_name("retracted_by")
    corrected_by_name = user_name("corrected_by")
    FIXED = ["actor", "debate", "proposal", "stance", "support", "stated_on"]

    def get_fieldsets(self, request, obj=None):
        text = ["summary", "opened_version"]
        if obj is not None and obj.corrects_id:
            text = ["corrects", "summary", "correction_note", "opened_version"]
        elif obj is not None and obj.corrected_at:
            text = ["summary", "correction_note", "corrected_by_name", "corrected_at"]
        return [
            (None, {"fields": self._fixed(request, obj)}),
            (None, {"fields": text}),
            ("Publication", {"fields": self.PUBLICATION}),
        ]

    def has_publish_permission(self, request):
        return request.user.has_perm("tracker.publish_position")

    # A published or retracted position is on the public record: nobody edits or
    # deletes it here. Its text and evidence change through a drafted correction.
    def has_change_permission(self, request, obj=None):
        return not is_public_record(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_public_record(obj) and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            position = self.get_object(request, unquote(object_id))
            if position is None:  # a correction used up, opened again or saved
                corrected = self._corrected_meanwhile(request, unquote(object_id))
                if corrected is not None:
                    return corrected
            elif (
                request.method == "POST"
                and is_public_record(position)
                and super().has_change_permission(request, None)
            ):
                return self._published_meanwhile(request, position)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _corrected_meanwhile(self, request, object_id):
        """A correction draft is used up when it is published (desk._apply_correction):
        saving it after that leads to the position it corrected, with the typed
        summary, rather than to Django's "doesn't exist"."""
        key = record_key(Position, object_id)
        last = Position.history.filter(id=key).order_by("-history_date").first() if key else None
        original = (
            last and last.corrects_id and Position.objects.filter(pk=last.corrects_id).first()
        )
        if not original or not super().has_change_permission(request, None):
            return None
        published = original.corrected_at is not None and original.corrected_at >= last.created_at
        who = original.corrected_by.get_username() if published and original.corrected_by else ""
        done = (
            f"{who} published this correction" if who else "this correction was used or discarded"
        )
        if request.method != "POST":  # a link to the draft, opened after
            said = f"published by {who}" if who else "used or discarded"
            self.message_user(
                request, f"This correction was {said}; this is the position it corrected."
            )
            return redirect("admin:tracker_position_change", original.pk)
        typed = " ".join(request.POST.get("summary", "").split())
        self.message_user(
            request,
            f"Not saved: {done} while you were editing it. This is the position it corrected: "
            "draft another correction with what you meant to change."
            + (f" The summary you typed: “{typed}”" if typed and typed != original.summary else ""),
            messages.ERROR,
        )
        return redirect("admin:tracker_position_change", original.pk)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert offered while the position was a draft, and published
        # since: the form still carries the version it was opened at.
        position = self.get_object(request, unquote(object_id))
        if (
            request.method == "POST"
            and is_public_record(position)
            and request.user.has_perm("tracker.publish_position")
            and request.POST.get(LOCK_FIELD, str(position.version)) != str(position.version)
        ):
            return self._published_meanwhile(request, position, reverting=True)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _published_meanwhile(self, request, position, reverting=False):
        """A draft published after its page (or an earlier version's, to revert
        to) was opened: say so, not a bare refusal, and hand back the summary
        that was typed."""
        who = position.published_by.get_username() if position.published_by else "a publisher"
        typed = " ".join(request.POST.get("summary", "").split())
        what = (
            "Not reverted: {} published this position after you opened its earlier version."
            if reverting
            else "Not saved: {} published this position while you were editing it."
        )
        self.message_user(
            request,
            what.format(who) + " A published position changes only through a correction: "
            "draft a correction "
            "with what you meant to change."
            + (f" The summary you typed: “{typed}”" if typed != position.summary else ""),
            messages.ERROR,
        )
        return redirect("admin:tracker_position_change", position.pk)

    @admin.display(description="stance", ordering="stance")
    def stance_on_the_debate(self, position):
        """In the debate's own words, as on its accept screen and change form."""
        if position.stance is None:
            return "-"
        return stance_in_words(position.debate, position.stance)

    def get_deleted_objects(self, objs, request):
        deletable, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(is_public_record(position) for position in objs):
            # Not a missing permission: what readers have seen stays on record.
            perms_needed = {
                "published or retracted positions, which are never deleted: "
                "retract or correct them instead"
            }
        return deletable, counts, perms_needed, protected

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.always_readonly)
        if obj is not None and (obj.corrects_id or obj.status != Position.Status.DRAFT):
            readonly += self._fixed(request, obj)
        return readonly

    def _fixed(self, request, obj):
        """FIXED, with the stance in the debate's own words where it is only read
        (a published, retracted or correcting position, or one the user may not
        change), as the list and the draft's form give it."""
        read_only = obj is not None and (
            obj.corrects_id
            or obj.status != Position.Status.DRAFT
            or not self.has_change_permission(request, obj)
        )
        if not read_only:
            return self.FIXED
        return ["stance_on_the_debate" if name == "stance" else name for name in self.FIXED]

    @admin.display(description="publication")
    def publication(self, position):
        if position is None or position.pk is None:
            return "A new position is saved as a draft; a publisher publishes it."
        if position.corrects_id:
            return (
                "A correction: publishing it puts its text and evidence on the position "
                "it corrects."
            )
        if position.status == Position.Status.DRAFT:
            return "A draft: readers do not see it until a publisher publishes it."
        if position.status == Position.Status.PUBLISHED:
            return (
                "Published. Corrections are drafted and published; a new stance is a new position."
            )
        return "Retracted; it stays on record."

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self._publication_context(request, obj))
        if "stance" in context["adminform"].form.fields:
            context["stance_words"] = stance_words_by_debate()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _publication_context(self, request, position):
        """Which publication buttons this user sees on this position's page."""
        if position is None:
            return {}
        publisher = self.has_publish_permission(request)
        draft = position.status == Position.Status.DRAFT
        return {
            "can_publish": publisher and draft,
            "can_retract": publisher and position.status == Position.Status.PUBLISHED,
            "can_correct": position.status == Position.Status.PUBLISHED
            and request.user.has_perm("tracker.add_position"),
            "awaits_publisher": draft and not publisher,
            "pending_correction": position.corrections.first(),
        }

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.status = Position.Status.DRAFT
        super().save_model(request, obj, form, change)

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("<int:pk>/publish/", wrap(self.publish_view), name="tracker_position_publish"),
            path("<int:pk>/retract/", wrap(self.retract_view), name="tracker_position_retract"),
            path("<int:pk>/correct/", wrap(self.correct_view), name="tracker_position_correct"),
            *super().get_urls(),
        ]

    def _publish(self, request, position):
        shift = desk.shift_description(position)
        published = desk.publish(position, request.user)
        if published.pk != position.pk:
            self.message_user(request, f"Correction published on {published}.")
        elif shift:
            self.message_user(request, f"Published — a shift: {shift}", messages.WARNING)
        else:
            self.message_user(request, f"Published: {position}.")
        return published

    def publish_view(self, request, pk):
        if not self.has_publish_permission(request):
            return refused(
                self,
                request,
                "Only publishers publish positions. Your draft is saved; a publisher will "
                "find it under Positions with the status Draft.",
            )
        position = self._position_or_lead(request, pk)
        if not isinstance(position, Position):
            return position
        if position.status != Position.Status.DRAFT:
            return self._not_in_state(request, position, "draft", "published")
        if request.method == "POST":
            try:
                with transaction.atomic():
                    published = self._publish(request, position)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return redirect("admin:tracker_position_change", pk)
            return redirect("admin:tracker_position_change", published.pk)
        context = {
            "title": f"Publish {position}?",
            "record": position,
            "shift": desk.shift_description(position),
            "repeated": desk.repeated(position),
            "action": "publish",
        }
        if position.corrects_id:
            context |= self._correction_context(position)
        if desk.lacks_evidence(position):
            context["needs_evidence"] = desk.NEEDS_EVIDENCE
            context["blocked"] = "Back to the draft to add evidence"
        return panel_page(self, request, "admin/tracker/position/confirm.html", context)

    @staticmethod
    def _correction_context(correction):
        """What publishing a correction changes for readers: the note they will
        read, the summary before and after, the evidence taken off and put on."""
        corrected = correction.corrects

        def said(evidence):
            """Each piece by everything of it a reader sees."""
            pieces = evidence.current().select_related("item__outlet", "cited_outlet")
            return {tuple(getattr(e, name) for name in READ_OF_EVIDENCE): e for e in pieces}

        before, after = said(corrected.evidence), said(correction.evidence)
        taken_off = [e for key, e in before.items() if key not in after]
        put_on = [e for key, e in after.items() if key not in before]
        # A piece from the same source with the same quote is one piece
        # changed, told by what changed: shown as taken off and put on, a
        # change of the desk's note alone read as two identical lines.
        changed = []
        for new in list(put_on):
            old = next((e for e in taken_off if _same_passage(e, new)), None)
            if old is not None:
                taken_off.remove(old)
                put_on.remove(new)
                changed.append((new, _evidence_changes(old, new)))
        return {
            "title": f"Publish the correction of {corrected}?",
            "corrected": corrected,
            "taken_off": taken_off,
            "put_on": put_on,
            "changed": changed,
        }

    def retract_view(self, request, pk):
        if not self.has_publish_permission(request):
            return refused(self, request, "Only publishers retract positions.")
        position = self._position_or_lead(request, pk)
        if not isinstance(position, Position):
            return position
        if position.status != Position.Status.PUBLISHED:
            return self._not_in_state(request, position, "published", "retracted")
        form = RetractForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                desk.retract(position, request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Retracted: {position}.")
            return redirect("admin:tracker_position_change", pk)
        context = {
            "title": f"Retract {position}?",
            "record": position,
            "form": form,
            "action": "retract",
            # Once it is retracted, a drafted correction of it cannot be published.
            "drafted_corrections": list(position.corrections.filter(status=Position.Status.DRAFT)),
        }
        return panel_page(self, request, "admin/tracker/position/confirm.html", context)

    def _position_or_lead(self, request, pk):
        """The position of a publish or retract link; for a correction used up
        since the link was made, the way to the position it corrected."""
        position = Position.objects.select_related("actor", "debate").filter(pk=pk).first()
        if position is None:
            lead = self._corrected_meanwhile(request, str(pk))
            if lead is None:
                raise Http404("No such position.")
            return lead
        return position

    def _not_in_state(self, request, position, needed, done):
        """Said before a form is filled in that only a position in the needed
        state can be published, retracted or corrected; back to the position."""
        self.message_user(
            request,
            f"Only a {needed} position can be {done}; this one is "
            f"{position.get_status_display().lower()}.",
            messages.ERROR,
        )
        return redirect("admin:tracker_position_change", position.pk)

    def correct_view(self, request, pk):
        """Ask, then draft a correction of a published position and open it."""
        if not request.user.has_perm("tracker.add_position"):
            return refused(self, request, "Only editors and publishers draft corrections.")
        position = get_object_or_404(Position.objects.select_related("actor", "debate"), pk=pk)
        if position.status != Position.Status.PUBLISHED:
            return self._not_in_state(request, position, "published", "corrected")
        if request.method != "POST":
            context = {
                "title": f"Draft a correction of {position}?",
                "record": position,
                "action": "draft a correction",
            }
            return panel_page(self, request, "admin/tracker/position/confirm.html", context)
        try:
            with transaction.atomic():
                correction = desk.draft_correction(position, request.user)
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return redirect("admin:tracker_position_change", pk)
        self.message_user(
            request,
            "Correct the text or evidence, say what was corrected, and save; "
            "a publisher publishes the correction.",
        )
        return redirect("admin:tracker_position_change", correction.pk)

    @admin.action(description="Publish the selected drafts…", permissions=["publish"])
    def publish_selected(self, request, queryset):
        drafts = list(
            queryset.filter(status=Position.Status.DRAFT).select_related(
                "actor", "debate", "proposal"
            )
        )
        if request.POST.get("post") != "yes":
            listed = [
                (
                    position,
                    desk.shift_description(position),
                    desk.lacks_evidence(position),
                    desk.repeated(position),
                )
                for position in drafts
            ]
            context = {
                "title": "Publish these drafts?",
                "drafts": listed,
                "ready": sum(not bare for _, _, bare, _ in listed),
                "skipped": queryset.exclude(status=Position.Status.DRAFT).count(),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return panel_page(
                self, request, "admin/tracker/position/confirm_publish_selected.html", context
            )
        published = 0
        for position in drafts:
            try:
                with transaction.atomic():
                    self._publish(request, position)
                published += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{position}: {'; '.join(error.messages)}", messages.ERROR
                )
        self.message_user(request, f"{published} position{pluralize(published)} published.")
        return None


class EvidenceForm(OptimisticLockForm, EvidenceSourceForm):
    url = forms.URLField(
        label="bare URL",
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=Evidence._meta.get_field("url").help_text,
    )

    class Meta:
        model = Evidence
        fields = [
            "position",
            "item",
            "url",
            "quote",
            "attribution",
            "speaker",
            "source_count",
            "source_affiliation",
            "cited_outlet",
            "note",
        ]

    def clean_position(self):
        position = self.cleaned_data["position"]
        if is_public_record(position):
            raise ValidationError(
                "Readers have seen this position: its evidence changes through a correction "
                "(open the position and choose “Draft a correction”)."
            )
        return position


@admin.register(Evidence)
class EvidenceAdmin(HttpsURLFieldsMixin, HistoryAdmin):
    list_display = ["position", "attribution", "item", "cited_outlet", "source_count"]
    list_filter = ["attribution"]
    list_select_related = [
        "position__actor",
        "position__debate",
        "position__proposal",
        "item__outlet",
        "cited_outlet",
    ]
    search_fields = ["quote", "source_affiliation", "item__title", "position__actor__name"]
    autocomplete_fields = ["position", "item", "cited_outlet"]
    readonly_fields = ["superseded_at"]
    form = EvidenceForm

    def has_change_permission(self, request, obj=None):
        public = obj is not None and is_public_record(obj.position)
        return not public and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        public = obj is not None and is_public_record(obj.position)
        return not public and super().has_delete_permission(request, obj)
