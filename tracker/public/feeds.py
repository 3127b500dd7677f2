"""Atom feeds of new published positions and shifts, per debate and per actor."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..models import Actor, Debate, Position
from ..models.stance import format_stance
from .links import site_url

ITEMS = 50


class PlainTextAtomFeed(Atom1Feed):
    """Summaries are editors' plain text: declared type="text", so a feed reader
    shows "<script>" as written instead of running it as markup."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary:
            handler.addQuickElement("summary", summary, {"type": "text"})


def describe(position):
    on = position.proposal.title if position.proposal else position.debate.title
    if position.status == Position.Status.RETRACTED:
        return f"Retracted: {position.actor.name} on {on}"
    stance = (
        f"{format_stance(position.stance)} · {position.stance_label}"
        if position.stance is not None
        else ""
    )
    support = position.get_support_display() if position.proposal else ""
    return f"{position.actor.name} on {on}: {' '.join(part for part in (support, stance) if part)}"


class _PositionFeed(Feed):
    """The public positions of one debate or actor, found by its slug."""

    feed_type = PlainTextAtomFeed
    model = None
    page = ""  # the URL name of the record's page; its feed's is page + "-feed"

    def get_object(self, request, slug):
        return get_object_or_404(self.model.objects.public(), slug=slug)

    def title(self, record):
        return f"{record} — positions and shifts"

    def link(self, record):
        return site_url(reverse(self.page, args=[record.slug]))

    def feed_url(self, record):
        return site_url(reverse(f"{self.page}-feed", args=[record.slug]))

    def items(self, record):
        positions = list(
            # Position.debate and Position.actor are named after their models.
            Position.objects.filter(**{self.model._meta.model_name: record})
            .public()
            .select_related("actor", "debate", "proposal")
            .order_by("-published_at", "-id")[:ITEMS]
        )
        # Mark the items that are shifts, in one query for the whole page.
        shift_ids = {
            s.id: s
            for s in Position.objects.public().shifts().filter(id__in=[p.id for p in positions])
        }
        for position in positions:
            position.shift = shift_ids.get(position.id)
        return positions

    def item_title(self, position):
        if position.shift is not None and position.shift.previous_stance is not None:
            on = position.proposal.title if position.proposal else position.debate.title
            return (
                f"{position.actor.name} moved from {format_stance(position.shift.previous_stance)} "
                f"to {format_stance(position.stance)} on {on}"
            )
        return describe(position)

    def item_description(self, position):
        text = position.summary
        if position.status == Position.Status.RETRACTED:
            text += f" (Retracted: {position.retraction_reason})"
        return text

    def item_link(self, position):
        path = reverse("public:debate", args=[position.debate.slug])
        return site_url(f"{path}#position-{position.id}")

    def item_guid(self, position):
        return f"position-{position.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, position):
        return position.published_at

    def item_updateddate(self, position):
        return position.retracted_at or position.published_at

    def item_author_name(self, position):
        return position.actor.name


class DebateFeed(_PositionFeed):
    model = Debate
    page = "public:debate"

    def subtitle(self, debate):
        return debate.question


class ActorFeed(_PositionFeed):
    model = Actor
    page = "public:actor"

    def subtitle(self, actor):
        return f"Published positions of {actor.name} in every debate."
