"""The review queue: flags of new coverage, claimed, dismissed or accepted into
draft positions by editors."""

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.template.defaultfilters import pluralize
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from .. import desk
from ..ingest.mentions import excerpt, find_mentions, mark
from ..ingest.text import html_text
from ..models import Actor, CoverageItem, Flag
from ..models.stance import format_stance
from ..relevance.explain import explain
from . import accept as accept_screen
from .history import HistoryAdmin
from .pages import panel_page
from .paginators import CappedCountPaginator
from .queue import QueueFilter
from .review import DismissForm, ReviewScreen
from .users import user_name

SNIPPET_RADIUS = 90
SNIPPET_SCAN = 2000
ACTOR_NAMES = Actor.objects.only("id", "name", "slug", "aliases")


def _snippet_parts(flag):
    text = " ".join(filter(None, [html_text(flag.item.summary), html_text(flag.item.content)]))
    terms, actors = flag.matched_terms, flag.matched_actors.all()
    # Most first mentions are near the top: look there before reading a whole article.
    head = text[: text.rfind(" ", 0, SNIPPET_SCAN)] if len(text) > SNIPPET_SCAN else text
    found = find_mentions(head, terms, actors) or find_mentions(text, terms, actors)
    start, end = excerpt(text, found, SNIPPET_RADIUS)
    window = text[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    return lead, window, find_mentions(window, terms, actors), tail


def snippet(flag):
    """(before, match) pairs and a tail around the first mention, for marking up safely."""
    lead, text, found, tail = _snippet_parts(flag)
    pieces, position = [], 0
    for mention in found:
        pieces.append((text[position : mention.start], text[mention.start : mention.end]))
        position = mention.end
    return lead, pieces, text[position:] + tail


def marked_snippet(flag):
    lead, text, found, tail = _snippet_parts(flag)
    return format_html("{}{}{}", lead, mark(text, found), tail)


class ScoreFilter(admin.SimpleListFilter):
    title = "score"
    parameter_name = "score_at_least"

    def lookups(self, request, model_admin):
        return [("2", "2 or more"), ("5", "5 or more"), ("10", "10 or more")]

    def queryset(self, request, queryset):
        if self.value() in {"2", "5", "10"}:
            return queryset.filter(score__gte=int(self.value()))
        return queryset


@admin.register(Flag)
class FlagAdmin(ReviewScreen, HistoryAdmin):
    # The headline cell carries the snippet, date, actors and copies, so the list
    # stays seven columns wide and readable on a laptop and a phone alike.
    list_display = ["coverage", "debate", "outlet", "relevant", "suggestion", "status", "assignee"]
    list_display_links = ["coverage"]  # the headline opens the review screen
    list_filter = [
        # Plain related filters list the (few) users and outlets; "related only"
        # would scan every flag to find which ones occur.
        QueueFilter,
        "debate",
        "assignee",
        ScoreFilter,
        "item__outlet",
        ("item__published_at", admin.DateFieldListFilter),
        "suggested_stance",
    ]
    list_select_related = ["item__outlet", "debate", "assignee"]
    search_fields = ["item__title"]
    search_help_text = "Searches the flagged articles' headlines."
    autocomplete_fields = ["item", "debate", "matched_actors", "assignee", "positions"]
    readonly_fields = ["created_at", "decided_by_name", "decided_at", "stance_reasons"]
    decided_by_name = user_name("decided_by")
    exclude = ["decided_by"]  # shown as decided_by_name; set only by a decision
    actions = ["claim", "unassign", "dismiss"]
    list_per_page = 50
    change_list_template = "admin/tracker/flag/change_list.html"
    # Counting a hundred thousand flags on every page view is what makes a queue slow.
    show_full_result_count = False
    paginator = CappedCountPaginator

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Review queue", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        copies = (
            CoverageItem.objects.filter(duplicate_of=OuterRef("item_id"))
            .exclude(outlet=None)
            .values("duplicate_of")
            .annotate(outlets=Count("outlet", distinct=True))
            .values("outlets")
        )
        queryset = Flag.objects.annotate(
            copy_outlets=Subquery(copies, output_field=IntegerField()),
        ).prefetch_related(Prefetch("matched_actors", queryset=ACTOR_NAMES))
        return queryset.in_queue_order()

    def get_ordering(self, request):
        return list(Flag.QUEUE_ORDER)

    class Media:
        css = {"all": ["tracker/admin/desk.css"]}
        js = ["tracker/admin/review.js"]

    @admin.display(description="coverage", ordering="item__title")
    def coverage(self, flag):
        # Django links the whole cell to the review screen: no other link inside.
        published = flag.item.published_at
        facts = [
            date_format(localtime(published), "j M Y") if published else "undated",
            f"{self.cluster(flag)} outlet{pluralize(self.cluster(flag))} ran it",
            self.actors(flag),
            ", ".join(flag.matched_terms),
        ]
        explanation = explain(flag)
        if explanation is not None:
            facts.append(explanation.short)
        return format_html(
            '<span class="headline">{}</span><span class="snippet">{}</span>'
            '<span class="facts">{}</span>',
            flag.item.title,
            marked_snippet(flag),
            " · ".join(fact for fact in facts if fact),
        )

    @admin.display(description="relevance", ordering="relevance")
    def relevant(self, flag):
        """The calibrated figure and its band, and the watch query's score below
        (a similarity flag's query matched nothing: said so, not as a score of 0)."""
        explanation = explain(flag)
        score = f"query score {flag.score:g}" if flag.score else "no query match"
        if explanation is None:
            return format_html('–<small class="quiet">{}</small>', score)
        return format_html(
            '<strong>{}</strong> <small>{}</small><small class="quiet">{} · {}</small>',
            explanation.figure,
            explanation.band,
            explanation.found_by,
            score,
        )

    @admin.display(description="outlet", ordering="item__outlet__name")
    def outlet(self, flag):
        return flag.item.outlet or "–"

    @admin.display(description="stance", ordering="suggested_stance")
    def suggestion(self, flag):
        if flag.suggested_stance is None:
            return "–"
        cues = ", ".join(
            f"{'+' if r['direction'] > 0 else '−'} {r['cue']}" for r in flag.stance_reasons
        )
        return format_html("{}<br><small>{}</small>", format_stance(flag.suggested_stance), cues)

    def actors(self, flag):
        return ", ".join(actor.name for actor in flag.matched_actors.all())

    def cluster(self, flag):
        return 1 + (flag.copy_outlets or 0)

    def _report(self, request, verb, outcome):
        if outcome.done:
            self.message_user(
                request, f"{verb} {len(outcome.done)} flag{pluralize(len(outcome.done))}."
            )
        if outcome.refused:
            titles = dict(
                Flag.objects.filter(id__in=outcome.refused).values_list("id", "item__title")
            )
            for flag_id, why in outcome.refused.items():
                self.message_user(request, f"“{titles.get(flag_id)}”: {why}.", messages.WARNING)

    @admin.action(description="Claim (assign to me)", permissions=["change"])
    def claim(self, request, queryset):
        self._report(
            request,
            "Claimed",
            desk.claim_flags(request.user, queryset.values_list("id", flat=True)),
        )

    @admin.action(description="Unassign", permissions=["change"])
    def unassign(self, request, queryset):
        anyone = request.user.has_perm("tracker.publish_position")
        outcome = desk.unassign_flags(request.user, queryset.values_list("id", flat=True), anyone)
        self._report(request, "Unassigned", outcome)

    @admin.action(description="Dismiss…", permissions=["change"])
    def dismiss(self, request, queryset):
        form = DismissForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            ids = queryset.values_list("id", flat=True)
            self._report(
                request,
                "Dismissed",
                desk.dismiss_flags(request.user, ids, form.cleaned_data["reason"]),
            )
            return None
        context = {
            "title": "Dismiss flags",
            "flags": list(queryset.select_related("item")),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return panel_page(self, request, "admin/tracker/flag/dismiss.html", context)

    def get_urls(self):
        accept = self.admin_site.admin_view(self.accept_view)
        return [
            path("<int:pk>/accept/", accept, name="tracker_flag_accept"),
            *self.review_urls(),
            *super().get_urls(),
        ]

    def accept_view(self, request, pk):
        return accept_screen.accept_view(self, request, pk)
