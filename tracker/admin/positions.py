from django.contrib import admin
from django.utils import timezone

from ..models import Evidence, Position
from .forms import HttpsURLFieldsMixin


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


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = [
        "actor",
        "debate",
        "proposal",
        "stance",
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
    readonly_fields = ["created_by", "published_by", "published_at", "retracted_at", "created_at"]
    fieldsets = [
        (None, {"fields": ["actor", "debate", "proposal", "stance", "support", "stated_on"]}),
        (None, {"fields": ["summary"]}),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "retraction_reason",
                    "created_by",
                    "published_by",
                    "published_at",
                    "retracted_at",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("tracker.publish_position"):
            readonly += ["status", "retraction_reason"]
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        now = timezone.now()
        if obj.status != Position.Status.DRAFT and obj.published_at is None:
            obj.published_at, obj.published_by = now, request.user
        if obj.status == Position.Status.RETRACTED and obj.retracted_at is None:
            obj.retracted_at = now
        super().save_model(request, obj, form, change)


@admin.register(Evidence)
class EvidenceAdmin(HttpsURLFieldsMixin, admin.ModelAdmin):
    list_display = ["position", "attribution", "item", "cited_outlet", "source_count"]
    list_filter = ["attribution"]
    list_select_related = ["position__actor", "position__debate", "item", "cited_outlet"]
    search_fields = ["quote", "source_affiliation", "item__title", "position__actor__name"]
    autocomplete_fields = ["position", "item", "cited_outlet"]
