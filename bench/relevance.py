"""How well the review queue finds what matters, on the labelled set.

Imports ../shared/corpora/relevance/economist-dev/ and news-feeds/ into a fresh
database holding the demo data, then reports for the demo debate: items
flagged (by the query, by similarity), central and related recall among them,
labelled items in the first 60 of the queue, and precision at 10 and 20.
Then an editor decides the first 10 open flags (accepted if labelled,
dismissed otherwise), `rematch` retrains and re-scores, and the same figures
are given for the rest of the queue.

Every figure is given per half of the labels: "tune" (the half the constants
in tracker/relevance/scoring.py were chosen on) and "report" (held out), the
other half's items left out of the ranking. The keyword queue (relevance off,
ranked by its score) is measured in the same run as the baseline.

Run:  .venv/bin/python bench/relevance.py [--sqlite]
Needs PostgreSQL (DATABASE_URL's server, default 127.0.0.1:5432) unless --sqlite.
"""

import argparse
import io
import json
import math
import tempfile
import time

from common import create_database, drop_database, setup_django
from embedders import CORPORA, label_half

DEBATE = "nato-response-to-russian-airspace-violations"
DEMO_ITEMS = [0]  # the last id of the demo's own items
TUNE_FIT = []  # (slope, centre) of the tune half's logistic fit, once measured


def load_labels():
    from tracker.ingest.urls import canonical_url

    raw = json.loads((CORPORA / "relevance" / "labels.json").read_text())["labels"]
    return {canonical_url(url): (grade, label_half(url)) for url, grade in raw.items()}


def queue(debate, statuses=("new", "claimed")):
    from tracker.models import Flag

    return list(
        Flag.objects.filter(debate=debate, status__in=statuses)
        .select_related("item")
        .in_queue_order()
    )


def keyword_queue(debate):
    from tracker.models import Flag

    return list(
        Flag.objects.filter(debate=debate, found_by="query")
        .select_related("item")
        .order_by("-score", "-created_at", "-id")
    )


def report(name, flags, labels, half):
    """Figures for one half of the labels; the other half's items, and the
    demo's own (not part of the labelled corpora), are left out."""
    flags = [f for f in flags if f.item_id > DEMO_ITEMS[0]]
    mine = {url: grade for url, (grade, h) in labels.items() if h == half}
    ranked = [f for f in flags if labels.get(f.item.canonical_url, (0, half))[1] == half]
    grades = [mine.get(f.item.canonical_url, 0) for f in ranked]
    central = sum(1 for g in mine.values() if g == 2)
    related = sum(1 for g in mine.values() if g == 1)
    found_by = {"query": 0, "similarity": 0}
    for flag in ranked:
        found_by[flag.found_by] += 1
    relevant = [g > 0 for g in grades]
    # Calibration: the relevance figures summed are the number of relevant
    # flags they promise; compare with the number labelled.
    promised = sum(f.relevance for f in ranked if f.relevance is not None)
    refit = ""
    if TUNE_FIT:
        from tracker.relevance import scoring

        slope, centre = TUNE_FIT
        shown = [min(max(f.relevance, 1e-6), 1 - 1e-6) for f in ranked if f.relevance is not None]
        totals = [math.log(p / (1 - p)) / scoring.PRIOR_SLOPE + scoring.PRIOR_CENTRE for p in shown]
        again = sum(1 / (1 + math.exp(-slope * (t - centre))) for t in totals)
        refit = f" ({again:.1f} by the tune fit)"
    print(
        f"{name:<26} {half:<6} flagged {len(ranked):4d} "
        f"(query {found_by['query']}, similarity {found_by['similarity']})  "
        f"central {grades.count(2)}/{central}  related {grades.count(1)}/{related}  "
        f"top60 {sum(relevant[:60])}/{central + related}  "
        f"p@10 {sum(relevant[:10]) / 10:.2f}  p@20 {sum(relevant[:20]) / 20:.2f}  "
        f"relevant {sum(relevant)}, promised {promised:.1f}{refit}",
        flush=True,
    )


def show(flags, labels, count):
    for rank, flag in enumerate(flags[:count], 1):
        grade, half = labels.get(flag.item.canonical_url, (0, ""))
        print(
            f"  {rank:3d} {flag.relevance:.3f} {grade} {half:<6} {flag.found_by:<10} "
            f"{flag.item.title[:70]}"
        )


def decide_first(debate, labels, count=10):
    """An editor decides the first open flags of the queue, as the desk would."""
    from django.utils import timezone

    from tracker.models import Flag

    decided = []
    for flag in queue(debate)[:count]:
        accepted = (
            labels.get(flag.item.canonical_url, (0, ""))[0] > 0 or flag.item_id <= DEMO_ITEMS[0]
        )
        status = Flag.Status.ACCEPTED if accepted else Flag.Status.DISMISSED
        Flag.objects.filter(id=flag.id).update(status=status, decided_at=timezone.now())
        decided.append(accepted)
    return decided


def calibration(debate, labels):
    """Every stored original scored as the product scores it: the logistic
    fit of the tune half (the constants in scoring.py come from it), and
    for each half, the relevant items the shown figures promise against
    those found, at the top of the ranking and in all of it."""
    import numpy as np
    from rankers import fit_logistic

    from tracker.models import CoverageItem, RelevanceModel
    from tracker.relevance import learning, scoring

    scorer = learning.scorer_from(RelevanceModel.objects.get(debate=debate))
    items = list(CoverageItem.objects.filter(duplicate_of__isnull=True, id__gt=DEMO_ITEMS[0]))
    vectors = learning.ensure_embeddings(items)
    rows = np.vstack([vectors[item.id] for item in items])
    near = np.array([c or 0.0 for c in learning.query_closeness(debate, items)], np.float32)
    logit = scorer.prior_logit(rows, near, [learning.stems_of(item) for item in items])
    total = (logit / scoring.PRIOR_SLOPE + scoring.PRIOR_CENTRE).astype(np.float64)
    fitted = None
    for half in ("tune", "report"):
        grade = [labels.get(item.canonical_url, (0, half)) for item in items]
        keep = np.array([h == half for _, h in grade])
        relevant = np.array([g > 0 for g, _ in grade], float)[keep]
        values = total[keep]
        order = np.argsort(-values, kind="stable")
        shown = scoring.sigmoid(logit[keep])[order]
        found = relevant[order]
        parts = [f"top {n}: {shown[:n].sum():.1f} for {int(found[:n].sum())}" for n in (10, 20, 60)]
        parts.append(f"all: {shown.sum():.1f} for {int(found.sum())}")
        print(f"calibration {half:<6} promised " + ", ".join(parts))
        if half == "tune":
            fitted = fit_logistic(
                values, relevant, start=(scoring.PRIOR_SLOPE, scoring.PRIOR_CENTRE)
            )
            TUNE_FIT[:] = fitted
            print(
                f"  logistic fit on the tune half: slope {fitted[0]:.2f}, centre "
                f"{fitted[1]:.2f} (shipped {scoring.PRIOR_SLOPE}, {scoring.PRIOR_CENTRE})"
            )
        refit = scoring.sigmoid(fitted[0] * (values[order] - fitted[1]))
        parts = [f"top {n}: {refit[:n].sum():.1f}" for n in (10, 20, 60)]
        print(
            f"  with the tune half's fit, {half} promises "
            + ", ".join(parts)
            + f", all: {refit.sum():.1f}"
        )


def report_both_halves(name, flags, labels):
    for half in ("tune", "report"):
        report(name, flags, labels, half)


def rematch():
    """Retrain and re-score the demo debate; the seconds it took."""
    from django.core.management import call_command

    from tracker.models import RelevanceModel

    start = time.perf_counter()
    call_command("rematch", "--debate", DEBATE, stdout=io.StringIO())
    took = time.perf_counter() - start
    stats = RelevanceModel.objects.get(debate__slug=DEBATE).stats
    print(f"  (stream stats the model measured: {stats})")
    return took


def import_corpora(relevance):
    from django.conf import settings

    from tracker.ingest.files import import_files

    settings.TRACKER_RELEVANCE = relevance
    paths = [str(CORPORA / "relevance" / "economist-dev"), str(CORPORA / "news-feeds")]
    start, cpu = time.perf_counter(), time.process_time()
    totals, _ = import_files(paths)
    return totals, time.perf_counter() - start, time.process_time() - cpu


def fresh_schema():
    from django.core.management import call_command

    from tracker.demo import load_demo
    from tracker.models import CoverageItem

    call_command("flush", interactive=False, verbosity=0)
    load_demo()
    DEMO_ITEMS[0] = CoverageItem.objects.order_by("-id").values_list("id", flat=True).first() or 0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file instead")
    parser.add_argument("--show", type=int, default=0, help="print the first N of the queue")
    args = parser.parse_args()
    temporary = tempfile.TemporaryDirectory() if args.sqlite else None
    database = None if args.sqlite else create_database()
    url = (
        f"sqlite:///{temporary.name}/bench.sqlite3"
        if args.sqlite
        else f"{database[0]}/{database[1]}"
    )
    try:
        setup_django(url)
        from django.core.management import call_command

        from tracker.models import Debate

        call_command("migrate", verbosity=0)
        labels = load_labels()

        fresh_schema()
        totals, keyword_time, keyword_cpu = import_corpora(relevance=False)
        debate = Debate.objects.get(slug=DEBATE)
        print(f"keyword import: {totals.items_new} items in {keyword_time:.1f} s")
        report_both_halves("keyword queue", keyword_queue(debate), labels)

        fresh_schema()
        totals, relevance_time, relevance_cpu = import_corpora(relevance=True)
        print(
            f"relevance import: {totals.items_new} items in {relevance_time:.1f} s, "
            f"{relevance_cpu:.1f} s of this process's CPU (keyword import {keyword_time:.1f} s, "
            f"{keyword_cpu:.1f} s CPU); speed ratio {keyword_time / relevance_time:.2f} by the "
            f"clock, {keyword_cpu / relevance_cpu:.2f} by CPU time; same run"
        )
        debate = Debate.objects.get(slug=DEBATE)
        report_both_halves("relevance, cold start", queue(debate), labels)
        # What beat's minute check does once the stream has grown: learn word
        # rarity and the channels' spread from it (no decisions yet).
        print(f"  (rematch on the stream took {rematch():.1f} s)")
        report_both_halves("relevance, no decisions", queue(debate), labels)
        calibration(debate, labels)

        for which, after in (("first", "after 10 decisions"), ("next", "after 20 decisions")):
            show(queue(debate), labels, args.show)
            decided = decide_first(debate, labels)
            print(f"decided the {which} {len(decided)}: {sum(decided)} accepted", flush=True)
            report_both_halves("rest, before rematch", queue(debate), labels)
            print(f"  (rematch took {rematch():.1f} s)")
            report_both_halves(after, queue(debate), labels)
    finally:
        if database:
            drop_database(*database)
        if temporary:
            temporary.cleanup()


if __name__ == "__main__":
    main()
