from django.contrib import admin
from django.db.models import Count

from ..models import Debate, Proposal


class ProposalInline(admin.TabularInline):
    model = Proposal
    extra = 0
    prepopulated_fields = {"slug": ["title"]}
    fields = ["rung", "title", "slug", "description"]
    ordering = ["rung", "title"]


@admin.register(Debate)
class DebateAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "low_label", "high_label", "position_count", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "question"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProposalInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "question", "summary", "status"]}),
        ("The axis", {"fields": ["low_label", "high_label"]}),
        ("Coverage monitor", {"fields": ["watch_query"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_position_count=Count("positions"))

    @admin.display(description="positions", ordering="_position_count")
    def position_count(self, debate):
        return debate._position_count


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "debate", "rung"]
    list_filter = ["debate"]
    list_select_related = ["debate"]
    search_fields = ["title", "slug", "debate__title"]
    autocomplete_fields = ["debate"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["debate__title", "rung"]
