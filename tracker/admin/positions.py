from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ..models import Evidence, Position
from ..models.stance import format_stance
from .forms import HttpsURLFieldsMixin, OptimisticLockForm
from .history import HistoryAdmin


class EvidenceInline(HttpsURLFieldsMixin, admin.StackedInline):
    model = Evidence
    extra = 0
    autocomplete_fields = ["item", "cited_outlet"]
    fields = [
        ("item", "url"),
        "quote",
        ("attribution", "speaker"),
        ("source_count", "source_affiliation", "cited_outlet"),
        "note",
    ]


class RetractForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to readers beside the retracted position.",
    )


def describe_shift(position):
    """'Estonia: −1 → +1 on the debate' when publishing moves the actor, else ''."""
    previous = position.previous_published()
    if previous is None:
        return ""
    on = position.proposal or "the debate as a whole"
    if previous.stance != position.stance and None not in (previous.stance, position.stance):
        return (
            f"{position.actor}: {format_stance(previous.stance)} → "
            f"{format_stance(position.stance)} on {on}"
        )
    if previous.support != position.support:
        return f"{position.actor}: {previous.support} → {position.support} on {on}"
    return ""


class PositionForm(OptimisticLockForm):
    class Meta:
        model = Position
        fields = ["actor", "debate", "proposal", "stance", "support", "stated_on", "summary"]


@admin.register(Position)
class PositionAdmin(HistoryAdmin):
    form = PositionForm
    list_display = [
        "actor", "debate", "proposal", "stance", "support", "stated_on", "status", "published_at",
    ]  # fmt: skip
    list_filter = ["status", "debate", "actor__kind", "stated_on"]
    list_select_related = ["actor", "debate", "proposal"]
    search_fields = ["actor__name", "debate__title", "proposal__title", "summary"]
    autocomplete_fields = ["actor", "debate", "proposal"]
    date_hierarchy = "stated_on"
    inlines = [EvidenceInline]
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["actor", "debate", "proposal", "stance", "support", "stated_on"]}),
        (None, {"fields": ["summary", "opened_version"]}),
        (
            "Publication",
            {
                "fields": [
                    "status", "publication", "created_by", "published_by", "published_at",
                    "retracted_by", "retracted_at", "retraction_reason",
                ]
            },
        ),
    ]  # fmt: skip
    # Status changes only through publish and retract, which check the role;
    # whatever a form posts for these fields is ignored.
    always_readonly = [
        "status", "publication", "created_by", "published_by", "published_at",
        "retracted_by", "retracted_at", "retraction_reason", "created_at",
    ]  # fmt: skip

    def has_publish_permission(self, request):
        return request.user.has_perm("tracker.publish_position")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.always_readonly)
        if obj is not None and obj.status != Position.Status.DRAFT:
            readonly += ["actor", "debate", "proposal", "stance", "support", "stated_on"]
        return readonly

    @admin.display(description="publish or retract")
    def publication(self, position):
        if position is None or position.pk is None:
            return "A new position is saved as a draft."
        if position.status == Position.Status.DRAFT:
            url = reverse("admin:tracker_position_publish", args=[position.pk])
            return format_html('<a class="button" href="{}">Publish…</a>', url)
        if position.status == Position.Status.PUBLISHED:
            url = reverse("admin:tracker_position_retract", args=[position.pk])
            return format_html('<a class="button" href="{}">Retract…</a>', url)
        return "Retracted positions stay on record."

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
            *super().get_urls(),
        ]

    def _publish(self, request, position):
        shift = describe_shift(position)
        position.publish(request.user)
        if shift:
            self.message_user(request, f"Published — a shift: {shift}.", messages.WARNING)
        else:
            self.message_user(request, f"Published: {position}.")

    def publish_view(self, request, pk):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        position = get_object_or_404(Position.objects.select_related("actor", "debate"), pk=pk)
        if request.method == "POST":
            try:
                with transaction.atomic():
                    self._publish(request, position)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return redirect("admin:tracker_position_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Publish {position}?",
            "position": position,
            "shift": describe_shift(position),
            "action": "publish",
        }
        return TemplateResponse(request, "admin/tracker/position/confirm.html", context)

    def retract_view(self, request, pk):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        position = get_object_or_404(Position.objects.select_related("actor", "debate"), pk=pk)
        form = RetractForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                position.retract(request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Retracted: {position}.")
            return redirect("admin:tracker_position_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Retract {position}?",
            "position": position,
            "form": form,
            "action": "retract",
        }
        return TemplateResponse(request, "admin/tracker/position/confirm.html", context)

    @admin.action(description="Publish the selected drafts", permissions=["publish"])
    def publish_selected(self, request, queryset):
        published = 0
        for position in queryset.filter(status=Position.Status.DRAFT).select_related(
            "actor", "debate", "proposal"
        ):
            try:
                with transaction.atomic():
                    self._publish(request, position)
                published += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{position}: {'; '.join(error.messages)}", messages.ERROR
                )
        self.message_user(request, f"{published} position(s) published.")


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
