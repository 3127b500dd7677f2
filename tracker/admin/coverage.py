import re
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages

from ..ingest.polling import FeedRefused, check_feed_url, reserve_feed
from ..models import CoverageItem, Evidence, Feed, Outlet
from ..models.common import on_the_public_web
from ..models.positions import PUBLIC_STATUSES
from ..tasks import queue_fetch
from .forms import HttpsURLFieldsMixin, KnownKeysMixin, LinesField, LinkedChoicesMixin
from .history import HistoryAdmin
from .paginators import CappedCountPaginator

# Labels of letters, digits and inner hyphens, at least two of them.
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")


class OutletForm(forms.ModelForm):
    aliases = LinesField(required=False, help_text="Other names used when citing it, one per line.")

    class Meta:
        model = Outlet
        fields = ["name", "domain", "aliases"]

    def clean_domain(self):
        """The host name, however it is pasted (an address, capitals, www.)."""
        typed = self.cleaned_data["domain"].strip()
        if not typed:
            return ""
        host = urlsplit(typed if "//" in typed else f"//{typed}").hostname or ""
        try:
            host = host.removeprefix("www.").encode("idna").decode("ascii")  # bücher.de
        except UnicodeError:
            host = ""
        if not DOMAIN.fullmatch(host):
            raise forms.ValidationError("Give the outlet's web domain, such as “ft.com”.")
        return host


@admin.register(Outlet)
class OutletAdmin(KnownKeysMixin, admin.ModelAdmin):
    form = OutletForm
    list_display = ["name", "domain"]
    search_fields = ["name", "domain", "aliases"]


class FeedForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = Feed
        fields = ["url", "outlet", "title", "is_active", "poll_interval"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if Feed.objects.exclude(pk=self.instance.pk).filter(url=url).exists():
            raise forms.ValidationError("This feed is already watched.")
        try:
            self.url_warnings = check_feed_url(url)
        except FeedRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return url


@admin.register(Feed)
class FeedAdmin(HttpsURLFieldsMixin, HistoryAdmin):
    form = FeedForm
    list_display = [
        "url",
        "outlet",
        "is_active",
        "next_fetch_at",
        "poll_interval",
        "error_count",
        "problem",
    ]
    list_filter = ["is_active"]
    actions = ["fetch_now", "enable_and_fetch"]
    list_select_related = ["outlet"]
    search_fields = ["url", "title", "outlet__name"]
    autocomplete_fields = ["outlet"]
    readonly_fields = [
        "disabled_reason",
        "last_error",
        "last_warnings",
        "error_count",
        "last_status",
        "last_fetched_at",
        "last_success_at",
        "next_fetch_at",
        "etag",
        "last_modified",
        "body_hash",
        "created_at",
    ]

    @admin.display(description="problem")
    def problem(self, feed):
        return feed.disabled_reason or feed.last_error

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in getattr(form, "url_warnings", []):
            self.message_user(request, warning, messages.WARNING)

    def _queue(self, request, feeds):
        queued = 0
        for feed in feeds:
            token = reserve_feed(feed.id)
            queued += bool(token) and queue_fetch(feed.id, token)
        level = messages.SUCCESS if queued == len(feeds) else messages.WARNING
        self.message_user(request, f"{queued} of {len(feeds)} feeds queued for fetching.", level)

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request, queryset):
        self._queue(request, list(queryset.filter(is_active=True)))

    @admin.action(description="Re-enable and fetch now", permissions=["change"])
    def enable_and_fetch(self, request, queryset):
        feeds = list(queryset)
        for feed in feeds:  # one save each, so every feed's history records who re-enabled it
            feed.is_active, feed.error_count, feed.disabled_reason = True, 0, ""
            feed.fetch_token = ""
            feed.save(update_fields=["is_active", "error_count", "disabled_reason", "fetch_token"])
        self._queue(request, feeds)


class CoverageItemForm(forms.ModelForm):
    """An article typed in by hand is one readers can open, as a bare evidence
    URL is; what a feed on the desk's own network brought in keeps its address."""

    def _public(self, name):
        value = self.cleaned_data.get(name)
        if value and name in self.changed_data:
            on_the_public_web(value)
        return value

    def clean_url(self):
        return self._public("url")

    def clean_canonical_url(self):
        address = self._public("canonical_url")
        stored = CoverageItem.objects.exclude(pk=self.instance.pk).filter(canonical_url=address)
        if address and (same := stored.only("title").first()) is not None:
            raise forms.ValidationError(f"This article is stored already: “{same.title}”.")
        return address


@admin.register(CoverageItem)
class CoverageItemAdmin(LinkedChoicesMixin, HttpsURLFieldsMixin, admin.ModelAdmin):
    form = CoverageItemForm
    list_display = ["title", "outlet", "published_at", "duplicate_of"]
    list_select_related = ["outlet", "duplicate_of"]
    search_fields = ["title", "canonical_url"]
    autocomplete_fields = ["outlet", "feed", "duplicate_of"]
    readonly_fields = ["fetched_at", "content_hash", "title_key"]
    exclude = ["signature"]
    # Counting a million rows on every page view is what makes a changelist slow.
    show_full_result_count = False
    paginator = CappedCountPaginator

    @staticmethod
    def on_the_record(item):
        """Whether readers see the item as evidence (or saw it: a retraction
        stays public), so that editing it would rewrite the public record
        without a correction. Asked several times a request: read once."""
        if not hasattr(item, "_on_the_record"):
            item._on_the_record = Evidence.objects.filter(
                item=item, position__status__in=PUBLIC_STATUSES
            ).exists()
        return item._on_the_record

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self.on_the_record(obj):
            return [f.name for f in CoverageItem._meta.fields if f.editable and f.name != "id"]
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        # A browser sends a textarea's line breaks as CRLF; stored text keeps LF.
        obj.summary = obj.summary.replace("\r\n", "\n")
        obj.content = obj.content.replace("\r\n", "\n")
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET" and self.on_the_record(obj):
            self.message_user(
                request,
                "This article is cited as evidence by a public position, so it reads as "
                "readers see it. To change what they see, correct the position.",
                messages.INFO,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
