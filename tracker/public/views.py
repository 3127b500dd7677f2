import logging
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.clickjacking import xframe_options_exempt

from ..models import Actor, Debate, Evidence, Position, Proposal
from ..models.common import bare_quote, one_line
from ..models.positions import SUPPORT_RATING_NOTE
from ..models.stance import MOVE_RATINGS, STANCE_CHOICES
from . import across, charts, data, record, rows, snippets
from .filters import DebateFilter
from .freshness import uncacheable
from .links import PageParts, site_url

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


@dataclass
class DebateView:
    """The debate as a request's filters ask for it."""

    filters: DebateFilter
    query: str  # the filters applied, as a query string ("" for none)
    filtered: bool  # by more than the date
    page: data.DebateData
    asked_ahead: object  # a date after today that was asked for, and not shown
    chart: charts.Spectrum

    def address(self, name, slug):
        path = reverse(name, args=[slug])
        return f"{path}?{self.query}" if self.query else path


def _debate_view(request, debate, link=True, parts=None):
    filters = DebateFilter(request.GET, debate=debate)
    values = filters.values()
    asked_ahead = None
    if values.get("as_of") and values["as_of"] > timezone.localdate():
        asked_ahead = values.pop("as_of")  # nothing is known ahead of time: today's is shown
    page = data.debate_data(
        debate,
        as_of=values.get("as_of"),
        kind=values.get("kind", ""),
        bloc=values.get("bloc"),
        stance=values.get("stance"),
        attribution=values.get("attribution", ""),
    )
    return DebateView(
        filters=filters,
        query=urlencode(sorted((name, request.GET[name]) for name in values)),
        filtered=bool(set(values) - {"as_of"}),
        page=page,
        asked_ahead=asked_ahead,
        chart=charts.spectrum(page.stances, debate, link=link, parts=parts),
    )


def debate_detail(request, slug):
    debate = _public_debate(slug)
    parts = PageParts()
    shown = _debate_view(request, debate, parts=parts)
    page, as_of = shown.page, shown.page.as_of
    page.shifts = record.told_shifts(page.shifts, known=[*page.shifts, *page.earlier])
    record.mark_divergences(page.overall, as_of or timezone.localdate())
    months = across.distribution(page.runs, as_of or timezone.localdate())
    context = {
        "debate": debate,
        "page": page,
        "stance_rows": rows.stance_rows(page.stances, parts),
        "matrix_rows": rows.matrix_rows(page.matrix_actors, page.proposals, page.cells, parts),
        "shift_rows": rows.shift_rows(page.shifts, parts),
        "filters": shown.filters,
        "filtered": shown.filtered,
        "asked_ahead": shown.asked_ahead,
        "spectrum": shown.chart,
        "today": timezone.localdate(),
        "months": months,
        "month_rows": rows.month_rows(months),
        # The chart as shown here, same date and filters, for other sites to embed.
        "embed_snippet": charts.embed_snippet(
            site_url(shown.address("public:embed", debate.slug)),
            f"{debate.title}: where each actor stands",
            shown.chart,
        ),
    }
    response = render(request, "public/debate_detail.html", context)
    return uncacheable(response) if shown.filters.form.errors else response


SHIFTS_PER_PAGE = 50


def debate_shifts(request, slug):
    """Every public shift on the debate, latest first, told as on its page."""
    debate = _public_debate(slug)
    try:
        shown = Paginator(data.debate_shifts(debate), SHIFTS_PER_PAGE).page(
            request.GET.get("page", 1)
        )
    except InvalidPage:
        raise Http404("No such page of shifts.") from None
    shifts = list(shown)
    for shift in shifts:
        shift.debate = debate  # already in hand: no query per shift
    parts = PageParts()
    context = {
        "debate": debate,
        "shown": shown,
        "shift_rows": rows.shift_rows(record.told_shifts(shifts), parts),
    }
    return render(request, "public/debate_shifts.html", context)


@xframe_options_exempt
def debate_embed(request, slug):
    """The chart alone, for an iframe, with the date and filters of the debate
    page it was copied from."""
    debate = _public_debate(slug)
    shown = _debate_view(request, debate, link=False)
    context = {
        "debate": debate,
        "page": shown.page,
        "filtered": shown.filtered,
        "spectrum": shown.chart,
        # On another site, undated, the chart would pass for today's whenever read.
        "today": timezone.localdate(),
        "debate_url": shown.address("public:debate", debate.slug),
        "embedded": True,
        # Said on the chart: a reader of another site must not take an
        # unfiltered chart for the filtered one its page meant to show.
        "ignored": [
            shown.filters.form.fields[name].label or name
            for name in shown.filters.form.errors
            if name in shown.filters.form.fields
        ],
    }
    response = render(request, "public/embed.html", context)
    response.embeddable = True
    return uncacheable(response) if shown.filters.form.errors else response


def actor_list(request):
    kind = request.GET.get("kind", "")
    actors = Actor.objects.public().order_by("name")
    if kind in Actor.Kind.values:
        actors = actors.filter(kind=kind)
    response = render(
        request,
        "public/actor_list.html",
        {
            "actors": list(actors),
            "kind": kind,
            "kinds": Actor.Kind.choices,
            "unknown_kind": kind if kind and kind not in Actor.Kind.values else "",
        },
    )
    return uncacheable(response) if kind and kind not in Actor.Kind.values else response


# An actor page keeps to the latest of each debate's record and the latest
# shifts, however long the record grows; each debate's whole record has a page
# of its own (actor_on_debate).
RECORD_SHOWN = 10
ACTOR_SHIFTS_SHOWN = 20
RECORD_PER_PAGE = 50


def actor_detail(request, slug):
    actor = get_object_or_404(Actor.objects.public(), slug=slug)
    page = data.actor_data(actor, timezone.localdate())
    timelines = [
        (debate, charts.timelines(positions), positions)
        for debate, positions in sorted(page.history.items(), key=lambda row: row[0].title)
    ]
    shifts = page.record.shifts[:ACTOR_SHIFTS_SHOWN]
    context = {
        "actor": actor,
        "page": page,
        "timelines": timelines,
        "record_rows": [
            (debate, positions[-RECORD_SHOWN:], len(positions))
            for debate, positions in page.record.debates
        ],
        "shift_rows": rows.shift_rows(shifts, PageParts()),
        "shift_count": len(page.record.shifts),
        "told_here": {shift.after.id for shift in shifts},
    }
    return render(request, "public/actor_detail.html", context)


def actor_on_debate(request, slug, debate):
    """An actor's whole public record on one debate: every position, oldest
    first, with its evidence and the shifts told, by pages of RECORD_PER_PAGE."""
    actor = get_object_or_404(Actor.objects.public(), slug=slug)
    debate = _public_debate(debate)
    whole = record.actor_record(actor, debate)
    if not whole.debates:
        raise Http404("No published position of this actor on this debate.")
    [(_, positions)] = whole.debates
    try:
        shown = Paginator(positions, RECORD_PER_PAGE).page(request.GET.get("page", 1))
    except InvalidPage:
        raise Http404("No such page of the record.") from None
    here = {position.id for position in shown}
    shifts = [shift for shift in whole.shifts if shift.after.id in here]
    history = whole.history.get(debate, [])
    context = {
        "actor": actor,
        "debate": debate,
        "shown": shown,
        "timelines": [(debate, charts.timelines(history), history)] if history else [],
        "record_rows": [(debate, list(shown), len(shown))],
        "shift_rows": rows.shift_rows(shifts, PageParts()),
        "told_here": {shift.after.id for shift in shifts},
    }
    return render(request, "public/actor_debate.html", context)


def compare(request):
    """Any number of actors side by side: /compare/?actor=x&actor=y&…; the older
    two-actor address (?a=x&b=y) still works, its two first."""
    asked = [request.GET.get("a", ""), request.GET.get("b", ""), *request.GET.getlist("actor")]
    choices, chosen, missing = across.chosen_actors(asked)
    slugs = [actor.slug for actor in chosen]
    context = {
        "choices": [actor for actor in choices if actor.slug not in slugs],
        "chosen": [
            (actor, urlencode([("actor", s) for s in slugs if s != actor.slug])) for actor in chosen
        ],
        "missing": missing,
        "comparison": across.comparison(chosen) if chosen else None,
    }
    response = render(request, "public/compare.html", context)
    return uncacheable(response) if missing else response


def as_typed(value):
    """A value the page could not read, named back to the reader in quotation
    marks: on one line, without the characters nobody sees, and not too long."""
    return f"“{Truncator(one_line(value)).chars(60)}”"


def across_debates(request):
    """Every actor's current stance in every public debate, ranked by one debate
    (?by=slug, highest stance first or ?order=low) or by name."""
    by, order = request.GET.get("by", ""), request.GET.get("order", across.HIGH_FIRST)
    problem = ""
    if order not in (across.HIGH_FIRST, across.LOW_FIRST):
        problem, order = f"No order called {as_typed(order)}: use high or low.", across.HIGH_FIRST
    try:
        table = across.matrix(by, order)
    except Debate.DoesNotExist:
        problem = f"No public debate called {as_typed(by)}: the actors are listed by name."
        table = across.matrix("", order)
    response = render(request, "public/across.html", {"table": table, "problem": problem})
    return uncacheable(response) if problem else response


NO_RESULTS = {"debates": [], "actors": [], "proposals": [], "positions": [], "more": {}}
# How many of each kind a search shows; past that, the page says more match.
SHOWN = {"debates": 20, "actors": 30, "proposals": 20, "positions": 30}
# How much of a query is read: longer ones are cut there, and the page says so.
SEARCHED_LENGTH = 200
# Quotation marks as word processors and other languages type them, read as
# the straight ones a phrase is marked with: “ ” „ ‟ « », and the East Asian
# and full-width ones;
QUOTATION_MARKS = str.maketrans(
    dict.fromkeys("“”„‟«»\u301d\u301e\uff02", '"')
    # and the single marks, right, left, low and reversed, as phone keyboards
    # type the apostrophe
    | dict.fromkeys("\u2019\u2018\u201a\u201b", "'")
)
# Words near each other, as some search engines write it: "a b"~5. Read as
# every word anywhere, the nearest this search comes, not as a word "5"; left
# out ("-"a b"~5"), as the phrase left out.
NEAR_EACH_OTHER = re.compile(r'(-?)"([^"]*)"~\d*')


def _near_each_other(match):
    excluded, words = match.groups()
    return f' -"{words}" ' if excluded else f" {words} "


BARE_HYPHENS = re.compile(r'-+(?![-\w"])')
HYPHEN_RUNS = re.compile(r'-+(?=[\w"])')


def search(request):
    asked = request.GET.get("q", "").translate(QUOTATION_MARKS)
    asked = " ".join(NEAR_EACH_OTHER.sub(_near_each_other, asked).split())
    query = asked[:SEARCHED_LENGTH]
    if len(asked) > SEARCHED_LENGTH and " " in query:  # whole words only
        query = query.rsplit(" ", 1)[0]
    results, problem = NO_RESULTS, ""
    terms = _terms(query)
    if query and not terms:
        problem = "Give a word to look for."
    elif query and all(excluded for _, excluded in terms):
        problem = "Give a word to look for, not only words to leave out."
    elif query:
        try:
            with transaction.atomic():
                results = _search(query)
        except DatabaseError:
            logger.warning("search could not run: %r", query, exc_info=True)
            problem = "This search could not be run. Try plain words."
    context = {"query": query, "problem": problem, **results}
    context["cut"] = SEARCHED_LENGTH if len(asked) > SEARCHED_LENGTH else None
    return render(request, "public/search.html", context)


def _single_negations(query):
    """websearch_to_tsquery reads "-word" as NOT word, and a run of hyphens as
    negations stacked until PostgreSQL gives up ("tsquery stack too small"):
    "--word" becomes "-word", and hyphens before no word are dropped."""
    return HYPHEN_RUNS.sub("-", BARE_HYPHENS.sub(" ", query))


# A term of a query as web search engines read it: "quoted words" or a word,
# either excluded by a leading hyphen.
TERMS = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def _alternatives(query):
    """The query's terms for a database without full-text search, read as
    PostgreSQL's websearch reads them: groups of (text, excluded) pairs, each
    group the terms joined by "or", every group required."""
    groups, either = [], False
    for hyphen, phrase, word_hyphen, word in TERMS.findall(_single_negations(query)):
        # Single quotation marks around a word are no part of it; an apostrophe in it is.
        text = " ".join((phrase or word).split()).strip("-'")
        if not phrase and text.lower() == "or":
            either = bool(groups)
        elif text:
            term = (text, bool(hyphen or word_hyphen))
            if either:
                groups[-1].append(term)
            else:
                groups.append([term])
            either = False
    return groups


def _terms(query):
    """Every term of the query, (text, excluded), whatever joins them."""
    return [term for group in _alternatives(query) for term in group]


def _every_term(groups, *fields):
    """Rows holding a term of each group in one of the fields (an excluded term:
    in none of them)."""
    condition = Q()
    for group in groups:
        either = Q(pk__in=[])
        for text, excluded in group:
            anywhere = Q(pk__in=[])
            for name in fields:
                anywhere |= Q(**{f"{name}__icontains": text})
            either |= ~anywhere if excluded else anywhere
        condition &= either
    return condition


def _any_term(texts, name):
    """Rows whose field holds any of the texts (none: no row)."""
    condition = Q(pk__in=[])
    for text in texts:
        condition |= Q(**{f"{name}__icontains": text})
    return condition


def _search(query):
    """Debates, actors, options and positions that match, a position also by the
    quotes in its evidence and who is quoted; each position found comes with its
    words in parts for the template to mark. Six queries, whatever matches."""
    debates = Debate.objects.public()
    actors = Actor.objects.public()
    proposals = Proposal.objects.public().select_related("debate")
    positions = Position.objects.public().select_related("actor", "debate", "proposal")
    evidence = Evidence.objects.public()
    # A word left out leaves out a position that says it, wherever the rest was found.
    left_out = [text for text, excluded in _terms(query) if excluded]
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
        evidence = matching(evidence, "quote", "speaker")
        positions = positions.annotate(document=SearchVector("summary", config="english")).filter(
            Q(document=terms) | Exists(evidence.filter(position=OuterRef("pk")))
        )
        if left_out:
            either = " or ".join(f'"{text}"' for text in left_out)
            positions = positions.exclude(
                document=SearchQuery(either, search_type="websearch", config="english")
            )
    else:
        terms = _alternatives(query)
        debates = debates.filter(_every_term(terms, "title", "question", "summary"))
        actors = actors.filter(_every_term(terms, "name", "aliases", "description"))
        proposals = proposals.filter(_every_term(terms, "title", "description"))
        evidence = evidence.filter(_every_term(terms, "quote", "speaker"))
        positions = positions.filter(
            _every_term(terms, "summary") | Exists(evidence.filter(position=OuterRef("pk")))
        ).exclude(_any_term(left_out, "summary"))
    # Newest first; within a day, each actor's stance on a debate before its options.
    found = list(
        positions.order_by(
            "-stated_on",
            "actor__name",
            "debate__title",
            F("proposal__rung").asc(nulls_first=True),
            "id",
        )[: SHOWN["positions"] + 1]
    )
    more = {"positions": len(found) > SHOWN["positions"]}
    found = found[: SHOWN["positions"]]
    first_quote = {}
    quotes = evidence.exclude(quote="").filter(position__in=found)
    for item in quotes.order_by("id").only("position", "quote"):
        first_quote.setdefault(item.position_id, bare_quote(item.quote))
    words = snippets.pattern(query)
    for position in found:
        position.summary_parts = snippets.parts(position.summary, words)
        quote = first_quote.get(position.id)
        position.quote_parts = snippets.parts(quote, words) if quote else []
    results = {
        "debates": list(debates.distinct()[: SHOWN["debates"] + 1]),
        "actors": list(actors.distinct().order_by("name")[: SHOWN["actors"] + 1]),
        "proposals": list(proposals[: SHOWN["proposals"] + 1]),
    }
    for kind, found_rows in results.items():  # one row past the cap says there are more
        more[kind] = len(found_rows) > SHOWN[kind]
        results[kind] = found_rows[: SHOWN[kind]]
    return {**results, "positions": found, "more": more}


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
