from django import forms
from django.contrib import admin

from ..models import CoverageItem, Feed, Flag, Outlet
from .forms import HttpsURLFieldsMixin, LinesField


class OutletForm(forms.ModelForm):
    aliases = LinesField(required=False, help_text="Other names used when citing it, one per line.")

    class Meta:
        model = Outlet
        fields = ["name", "domain", "aliases"]


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    form = OutletForm
    list_display = ["name", "domain"]
    search_fields = ["name", "domain", "aliases"]


@admin.register(Feed)
class FeedAdmin(HttpsURLFieldsMixin, admin.ModelAdmin):
    list_display = ["url", "outlet", "is_active", "next_fetch_at", "error_count", "last_error"]
    list_filter = ["is_active"]
    list_select_related = ["outlet"]
    search_fields = ["url", "title", "outlet__name"]
    autocomplete_fields = ["outlet"]
    readonly_fields = [
        "etag",
        "last_modified",
        "body_hash",
        "last_fetched_at",
        "last_success_at",
        "error_count",
        "last_error",
        "created_at",
    ]


@admin.register(CoverageItem)
class CoverageItemAdmin(HttpsURLFieldsMixin, admin.ModelAdmin):
    list_display = ["title", "outlet", "published_at", "duplicate_of"]
    list_select_related = ["outlet", "duplicate_of"]
    search_fields = ["title", "canonical_url"]
    autocomplete_fields = ["outlet", "feed", "duplicate_of"]
    readonly_fields = ["fetched_at", "content_hash", "title_key"]
    exclude = ["signature"]
    # Counting a million rows on every page view is what makes a changelist slow.
    show_full_result_count = False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["item", "debate", "score", "suggested_stance", "status", "assignee"]
    list_filter = ["status", "debate"]
    list_select_related = ["item", "debate", "assignee"]
    search_fields = ["item__title"]
    autocomplete_fields = ["item", "debate", "matched_actors", "assignee", "positions"]
    readonly_fields = ["created_at", "decided_by", "decided_at"]
    show_full_result_count = False
