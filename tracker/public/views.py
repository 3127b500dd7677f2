import logging
import re
from collections import Counter

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from ..models import Actor, Debate, Evidence, Position, Proposal
from ..models.positions import SUPPORT_RATING_NOTE
from ..models.stance import MOVE_RATINGS, STANCE_CHOICES
from . import charts, data, record
from .filters import DebateFilter
from .freshness import uncacheable
from .links import site_url

SHIFTS_ON_HOME = 8

logger = logging.getLogger(__name__)


def _public_debate(slug):
    return get_object_or_404(Debate.objects.public(), slug=slug)


def _split(positions):
    """How many actors lean to each pole, for a one-line summary."""
    counts = Counter((p.stance > 0) - (p.stance < 0) for p in positions)
    return {"low": counts[-1], "middle": counts[0], "high": counts[1], "total": len(positions)}


def _debate_rows():
    """Public debates with how their actors split, in two queries."""
    debates = list(Debate.objects.public().order_by("status", "title"))
    current = Position.objects.public().current_overall(debates).only("id", "debate_id", "stance")
    by_debate = {}
    for position in current:
        by_debate.setdefault(position.debate_id, []).append(position)
    return [(debate, _split(by_debate.get(debate.id, []))) for debate in debates]


def home(request):
    shifts = (
        Position.objects.public()
        .shifts()
        .select_related("actor", "debate", "proposal")
        .order_by("-stated_on", "-id")[:SHIFTS_ON_HOME]
    )
    return render(request, "public/home.html", {"rows": _debate_rows(), "shifts": list(shifts)})


def debate_list(request):
    return render(request, "public/debate_list.html", {"rows": _debate_rows()})


def debate_detail(request, slug):
    debate = _public_debate(slug)
    filters = DebateFilter(request.GET, debate=debate)
    values = filters.values()
    as_of = values.get("as_of")
    if as_of and as_of > timezone.localdate():
        as_of = None
    page = data.debate_data(
        debate,
        as_of=as_of,
        kind=values.get("kind", ""),
        bloc=values.get("bloc"),
        stance=values.get("stance"),
        attribution=values.get("attribution", ""),
    )
    for position in [*page.overall, *page.cells.values(), *page.shifts]:
        position.debate = debate  # already in hand: no query per position
    page.shifts = record.told_shifts(page.shifts)
    record.mark_divergences(page.overall, as_of or timezone.localdate())
    record.mark_held_since(debate, page.overall, as_of)
    context = {
        "debate": debate,
        "page": page,
        "filters": filters,
        "filtered": bool(set(values) - {"as_of"}),
        "spectrum": charts.spectrum(page.stances, debate.low_label, debate.high_label),
        "today": timezone.localdate(),
        "embed_url": site_url(reverse("public:embed", args=[debate.slug])),
    }
    response = render(request, "public/debate_detail.html", context)
    return uncacheable(response) if filters.form.errors else response


@xframe_options_exempt
def debate_embed(request, slug):
    debate = _public_debate(slug)
    page = data.debate_data(debate)
    chart = charts.spectrum(page.stances, debate.low_label, debate.high_label, link=False)
    response = render(
        request, "public/embed.html", {"debate": debate, "page": page, "spectrum": chart}
    )
    response.embeddable = True
    return response


def actor_list(request):
    kind = request.GET.get("kind", "")
    actors = Actor.objects.public().order_by("name")
    if kind in Actor.Kind.values:
        actors = actors.filter(kind=kind)
    response = render(
        request,
        "public/actor_list.html",
        {"actors": list(actors), "kind": kind, "kinds": Actor.Kind.choices},
    )
    return uncacheable(response) if kind and kind not in Actor.Kind.values else response


def actor_detail(request, slug):
    actor = get_object_or_404(Actor.objects.public(), slug=slug)
    page = data.actor_data(actor, timezone.localdate())
    timelines = [
        (debate, charts.timeline(positions), positions)
        for debate, positions in sorted(page.history.items(), key=lambda row: row[0].title)
    ]
    return render(
        request, "public/actor_detail.html", {"actor": actor, "page": page, "timelines": timelines}
    )


def compare(request):
    slugs = [request.GET.get("a", ""), request.GET.get("b", "")]
    shown = Actor.objects.public()
    actors = {a.slug: a for a in shown.filter(slug__in=[s for s in slugs if s])}
    choices = list(shown.order_by("name").only("slug", "name"))
    context = {"choices": choices, "a": slugs[0], "b": slugs[1], "rows": [], "pair": None}
    if all(slug in actors for slug in slugs):
        first, second = actors[slugs[0]], actors[slugs[1]]
        positions = (
            Position.objects.public()
            .filter(actor__in=[first, second])
            .current()
            .select_related("debate", "proposal")
        )
        table = {}
        for position in positions:
            key = (position.debate, position.proposal)
            table.setdefault(key, {})[position.actor_id] = position
        rows = [
            (debate, proposal, sides.get(first.id), sides.get(second.id))
            for (debate, proposal), sides in table.items()
            if len(sides) == 2
        ]
        rows.sort(key=lambda row: (row[0].title, row[1].rung if row[1] else -1))
        context.update(pair=(first, second), rows=rows)
    elif any(slugs):
        context["missing"] = [slug for slug in slugs if slug and slug not in actors]
    return render(request, "public/compare.html", context)


NO_RESULTS = {"debates": [], "actors": [], "proposals": [], "positions": []}
BARE_HYPHENS = re.compile(r'-+(?![-\w"])')
HYPHEN_RUNS = re.compile(r'-+(?=[\w"])')


def search(request):
    query = " ".join(request.GET.get("q", "").split())[:200]
    results, problem = NO_RESULTS, ""
    if query:
        try:
            with transaction.atomic():
                results = _search(query)
        except DatabaseError:
            logger.warning("search could not run: %r", query, exc_info=True)
            problem = "This search could not be run. Try plain words."
    context = {"query": query, "problem": problem, **results}
    return render(request, "public/search.html", context)


def _single_negations(query):
    """websearch_to_tsquery reads "-word" as NOT word, and a run of hyphens as
    negations stacked until PostgreSQL gives up ("tsquery stack too small"):
    "--word" becomes "-word", and hyphens before no word are dropped."""
    return HYPHEN_RUNS.sub("-", BARE_HYPHENS.sub(" ", query))


def _search(query):
    debates = Debate.objects.public()
    actors = Actor.objects.public()
    proposals = Proposal.objects.public().select_related("debate")
    positions = Position.objects.public().select_related("actor", "debate", "proposal")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        terms = SearchQuery(_single_negations(query), search_type="websearch", config="english")

        def matching(queryset, *fields):
            return queryset.annotate(document=SearchVector(*fields, config="english")).filter(
                document=terms
            )

        debates = matching(debates, "title", "question", "summary")
        actors = matching(actors, "name", "description") | actors.filter(
            Q(name__icontains=query) | Q(aliases__icontains=query)
        )
        proposals = matching(proposals, "title", "description")
        positions = matching(positions, "summary")
    else:
        debates = debates.filter(
            Q(title__icontains=query) | Q(question__icontains=query) | Q(summary__icontains=query)
        )
        actors = actors.filter(
            Q(name__icontains=query) | Q(aliases__icontains=query) | Q(description__icontains=query)
        )
        proposals = proposals.filter(Q(title__icontains=query) | Q(description__icontains=query))
        positions = positions.filter(summary__icontains=query)
    return {
        "debates": list(debates.distinct()[:20]),
        "actors": list(actors.distinct().order_by("name")[:30]),
        "proposals": list(proposals[:20]),
        "positions": list(positions.order_by("-stated_on")[:30]),
    }


def export_index(request):
    debates = list(Debate.objects.public().order_by("title"))
    return render(request, "public/exports.html", {"debates": debates})


def methodology(request):
    """How the tracker works, with the scale, the answers, the attribution levels
    and the shift ratings read from the models rather than written out again."""
    context = {
        "scale": STANCE_CHOICES,
        "answers": Position.Support.labels,
        "attributions": list(Evidence.Attribution),
        "ratings": MOVE_RATINGS,
        "support_rating_note": SUPPORT_RATING_NOTE,
    }
    return render(request, "public/methodology.html", context)
