"""The views of the review queue: which flags the list (and the review screen's
next and previous) walk through."""

from django.contrib import admin

from .. import desk
from ..models import Flag


class QueueFilter(admin.SimpleListFilter):
    """The queue opens on the unclaimed flags; my own (claimed by me), the open
    ones (new and claimed, with who has them), each state and all are one click
    away. (Filtering on one status lets the flag_queue_relevance_all index
    order the page; "open" cannot, and is slower on a large queue.)"""

    DEFAULT = "unclaimed"

    title = "queue"
    parameter_name = "queue"

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request, *args, **kwargs)

    def lookups(self, request, model_admin):
        return [
            ("unclaimed", "Unclaimed"),
            ("mine", "My flags"),
            ("open", "Open"),
            *((s.value, s.label) for s in Flag.Status),
            ("all", "All"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None and request.method == "POST":
            # An action acts on the flags the editor ticked, even if another editor
            # moved them on meanwhile: that is how the loser learns who has them.
            return queryset
        value = value or self.DEFAULT
        if value == "open":
            return queryset.filter(status__in=desk.OPEN)
        if value == "mine":
            return queryset.filter(status=Flag.Status.CLAIMED, assignee=request.user)
        if value == "unclaimed":
            return queryset.filter(status=Flag.Status.NEW, assignee=None)
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or self.DEFAULT
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }
