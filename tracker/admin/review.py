"""The review screen: one page per flag, where an editor reads the article with
its words and actors marked, sees why it was flagged and who has it, and moves
it on (claim, give back, dismiss, accept).

A flag is never edited field by field: its state changes only through the
desk's moves (tracker/desk.py), which are first-come and on record. The page
sits at the flag's change URL; a POST there (the old raw form) changes nothing.

After an action: claiming stays on the flag (it was claimed to be worked on);
giving back and dismissing open the next flag of the queue the editor came
from, or the queue itself at its end; a refused action stays, with the reason.
"""

import copy

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from .. import desk
from ..ingest.mentions import find_mentions, item_body, mark
from ..models import CoverageItem, Flag
from ..models.flags import queue_position
from ..models.stance import format_stance
from ..relevance.explain import explain
from .forms import SaidField, record_key
from .pages import panel_page, refused
from .queue import QueueFilter

SHORTCUTS = [
    ("j", "next flag in the queue"),
    ("k", "previous flag"),
    ("c", "claim"),
    ("a", "accept…"),
    ("d", "dismiss (type the reason)"),
]


class DismissForm(forms.Form):
    reason = SaidField(
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Why is this not for the debate?"}),
        max_length=2000,
        error_messages={"required": "Say why you dismiss it."},
    )


def _neighbour(flags, flag, forward):
    """(id, relevance, score, created_at, id) of the flag just after (or before)
    this one in the queue's order."""
    flags = flags.after(flag) if forward else flags.before(flag)
    return flags.values_list("id", "relevance", "score", "created_at", "id").first()


class ReviewScreen:
    """The review screen and its actions, for FlagAdmin."""

    review_template = "admin/tracker/flag/review.html"

    def has_add_permission(self, request):
        return False  # flags come from the matcher, not from hand

    def has_change_history_permission(self, request, obj=None):
        return False  # reverting would set a flag's state by hand

    def review_urls(self):
        def desk_only(view):
            def checked(request, pk):
                if not self.has_change_permission(request):
                    return self.forbidden(request)
                return view(request, pk)

            return self.admin_site.admin_view(checked)  # login, staff and CSRF

        def move(suffix, method, view):
            name = "tracker_flag_" + suffix.replace("-", "_")
            return path(f"<int:pk>/{suffix}/", desk_only(method(view)), name=name)

        return [
            move("claim", require_POST, self.claim_view),
            move("give-back", require_POST, self.give_back_view),
            move("dismiss", require_POST, self.dismiss_view),
            move("next", require_GET, self.next_view),
            move("previous", require_GET, self.previous_view),
        ]

    def forbidden(self, request):
        return refused(self, request, "The review queue is for editors and publishers.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_change_permission(request):
            return self.forbidden(request)
        if record_key(Flag, object_id) is None:
            raise Http404("No such flag.")
        flag = get_object_or_404(
            Flag.objects.select_related(
                "item__outlet",
                "item__cited_outlet",
                "item__duplicate_of__outlet",
                "debate",
                "assignee",
                "decided_by",
            ),
            pk=object_id,
        )
        if request.method == "POST":
            self.message_user(
                request,
                "A flag is not edited by hand: use Claim, Give back, Dismiss or Accept.",
                messages.WARNING,
            )
            return redirect(self._flag_url(request, "admin:tracker_flag_change", flag.pk))
        return self.review(request, flag)

    def review(self, request, flag):
        item = flag.item
        actors = list(flag.matched_actors.all())
        body = item_body(item)
        context = {
            "title": item.title,
            "original": flag,
            "flag": flag,
            "item": item,
            "marked_title": mark(item.title, find_mentions(item.title, flag.matched_terms, actors)),
            "marked_body": mark(body, find_mentions(body, flag.matched_terms, actors)),
            "actors": actors,
            "copies": self._cluster(item),
            "relevance": explain(flag),
            "stance": format_stance(flag.suggested_stance),
            "stance_words": flag.debate.describe_stance(flag.suggested_stance),
            "cues": [
                ("+" if reason["direction"] > 0 else "−", reason["cue"])
                for reason in flag.stance_reasons
            ],
            "is_open": flag.status in desk.OPEN,
            "mine": flag.assignee_id == request.user.pk,
            "may_give_back": flag.status == Flag.Status.CLAIMED
            and (
                flag.assignee_id == request.user.pk
                or request.user.has_perm("tracker.publish_position")
            ),
            "dismiss_form": DismissForm(),
            "preserved": self._preserved(request),
            "queue_url": self._queue_url(request),
            "next_url": self._flag_url(request, "admin:tracker_flag_next", flag.pk),
            "previous_url": self._flag_url(request, "admin:tracker_flag_previous", flag.pk),
            "accept_url": reverse("admin:tracker_flag_accept", args=[flag.pk]),
            "history_url": reverse("admin:tracker_flag_history", args=[flag.pk]),
            "shortcuts": SHORTCUTS,
            "media": self.media,
        }
        return panel_page(self, request, self.review_template, context)

    def _cluster(self, item):
        """The other items of the story's cluster: its original and every copy."""
        root = item.duplicate_of_id or item.id
        return list(
            CoverageItem.objects.filter(Q(id=root) | Q(duplicate_of_id=root))
            .exclude(id=item.id)
            .select_related("outlet")
            .only("id", "title", "url", "published_at", "duplicate_of_id", "outlet__name")
            .order_by("published_at", "id")
        )

    # The queue view the editor came from travels in _changelist_filters, as
    # Django's admin passes it from the list to a change page and back.
    def _preserved(self, request):
        source = request.POST if request.method == "POST" else request.GET
        return source.get("_changelist_filters", "")

    def _keeping_queue(self, request, url):
        preserved = self._preserved(request)
        return f"{url}?{urlencode({'_changelist_filters': preserved})}" if preserved else url

    def _flag_url(self, request, name, pk):
        return self._keeping_queue(request, reverse(name, args=[pk]))

    def _queue_url(self, request):
        preserved = QueryDict(self._preserved(request)).urlencode()  # re-encoded: no stray bytes
        url = reverse("admin:tracker_flag_changelist")
        return f"{url}?{preserved}" if preserved else url

    def _queue_queryset(self, request):
        """The flags of that queue view, filtered as the list filters them."""
        listing = copy.copy(request)
        listing.method = "GET"
        listing.POST = QueryDict()
        listing.GET = QueryDict(self._preserved(request))
        try:
            return self.get_changelist_instance(listing).queryset
        except IncorrectLookupParameters:
            listing.GET = QueryDict()
            return self.get_changelist_instance(listing).queryset

    def _go_on(self, request, pk, forward=True):
        flag = get_object_or_404(Flag.objects.only("id", "relevance", "score", "created_at"), pk=pk)
        candidates = [_neighbour(self._queue_queryset(request), flag, forward)]
        view = QueryDict(self._preserved(request)).get("queue") or QueueFilter.DEFAULT
        if view in (Flag.Status.NEW, "unclaimed"):
            # Claiming takes a flag out of these views, but not off the editor's path:
            # j then k comes back to the flag just claimed.
            mine = Flag.objects.filter(status=Flag.Status.CLAIMED, assignee=request.user)
            candidates.append(_neighbour(mine, flag, forward))
        candidates = [candidate for candidate in candidates if candidate is not None]
        if not candidates:
            where = "after" if forward else "before"
            self.message_user(request, f"No flag {where} that one in this view of the queue.")
            return redirect(self._queue_url(request))
        # The nearer one: the first after the flag, or the last before it.
        nearest = (max if forward else min)(candidates, key=lambda row: queue_position(row[1:]))
        return redirect(self._flag_url(request, "admin:tracker_flag_change", nearest[0]))

    def next_view(self, request, pk):
        return self._go_on(request, pk, forward=True)

    def previous_view(self, request, pk):
        return self._go_on(request, pk, forward=False)

    def _refused(self, request, verb, outcome, pk):
        why = outcome.refused.get(pk)
        if why:
            self.message_user(request, f"Not {verb}: {why}.", messages.WARNING)
        return bool(why)

    def claim_view(self, request, pk):
        flag_id = get_object_or_404(Flag.objects.only("id"), pk=pk).pk
        outcome = desk.claim_flags(request.user, [flag_id])
        if not self._refused(request, "claimed", outcome, flag_id):
            self.message_user(request, "Claimed: yours until you decide or give it back.")
        return redirect(self._flag_url(request, "admin:tracker_flag_change", flag_id))

    def give_back_view(self, request, pk):
        flag_id = get_object_or_404(Flag.objects.only("id"), pk=pk).pk
        anyone = request.user.has_perm("tracker.publish_position")
        outcome = desk.unassign_flags(request.user, [flag_id], anyone)
        if self._refused(request, "given back", outcome, flag_id):
            return redirect(self._flag_url(request, "admin:tracker_flag_change", flag_id))
        self.message_user(request, "Given back to the queue.")
        return self._go_on(request, flag_id)

    def dismiss_view(self, request, pk):
        flag_id = get_object_or_404(Flag.objects.only("id"), pk=pk).pk
        form = DismissForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("reason", []):
                self.message_user(request, f"Not dismissed: {error}", messages.ERROR)
            return redirect(self._flag_url(request, "admin:tracker_flag_change", flag_id))
        outcome = desk.dismiss_flags(request.user, [flag_id], form.cleaned_data["reason"])
        if self._refused(request, "dismissed", outcome, flag_id):
            return redirect(self._flag_url(request, "admin:tracker_flag_change", flag_id))
        self.message_user(request, "Dismissed.")
        return self._go_on(request, flag_id)
