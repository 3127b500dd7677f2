"""Atom feeds of new published positions and shifts, per debate and per actor."""

from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed

from ..models import Actor, Debate, Position
from ..models.common import bare_quote
from ..models.stance import format_stance
from .links import site_url
from .record import told_shifts

# The date in an entry's tag URI: a day the site's owner held its host name, and
# never changed afterwards, or every reader would see every entry again.
TAG_YEAR = 2025

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


def _side(heading, position):
    """One side of a shift in plain text: when, where it stood, what was said."""
    where = [position.get_support_display()] if position.proposal_id else []
    if position.stance is not None:
        where.append(f"{format_stance(position.stance)} · {position.stance_label}")
    lines = [
        f"{heading}, {date_format(position.stated_on, 'j M Y')}: "
        f"{', '.join(where)}. {position.summary}"
    ]
    for evidence in position.public_evidence:
        if evidence.quote:
            source = evidence.get_attribution_display()
            if evidence.attribution_chain != source:
                source += f": {evidence.attribution_chain}"
            lines.append(f"“{bare_quote(evidence.quote)}” ({source})")
    return "\n".join(lines)


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
        # Tell the items that are shifts, in a fixed number of queries for the whole
        # page. The filter is on whole (actor, debate) partitions, never on ids: the
        # window must see every earlier position, also those older than the feed.
        ids = {p.id for p in positions}
        shifts = (
            Position.objects.public()
            .filter(
                actor_id__in={p.actor_id for p in positions},
                debate_id__in={p.debate_id for p in positions},
            )
            .shifts()
            .select_related("actor", "debate", "proposal")
        )
        told = {
            shift.after.id: shift
            for shift in told_shifts([shift for shift in shifts if shift.id in ids])
        }
        for position in positions:
            position.told = told.get(position.id)
        return positions

    def item_title(self, position):
        if position.told is not None:
            return position.told.sentence
        return describe(position)

    def item_description(self, position):
        text = position.summary
        if position.status == Position.Status.RETRACTED:
            text += f" (Retracted: {position.retraction_reason})"
        if position.told is not None:
            sides = (("Before", position.told.before), ("After", position.told.after))
            text += "".join(f"\n\n{_side(heading, side)}" for heading, side in sides)
        return text

    def item_link(self, position):
        # The actor's record lists every public position with its evidence; the
        # debate page only the current ones on the debate as a whole.
        path = reverse("public:actor", args=[position.actor.slug])
        return site_url(f"{path}#position-{position.id}")

    def item_guid(self, position):
        # An Atom id must be an IRI that never changes: a tag URI (RFC 4151) on
        # the site's host, not the link, which moves if an actor's slug does.
        host = urlsplit(site_url()).hostname
        return f"tag:{host},{TAG_YEAR}:position-{position.id}"

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
