"""Semantic relevance with the real model (its weights ship in the wordllama
wheel): similarity flags, learning from the desk's decisions, the query's NOT."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.models import CoverageItem, Flag, RelevanceModel
from tracker.relevance.embedding import get_embedder, to_bytes
from tracker.relevance.learning import needs_training
from tracker.tasks import train_relevance

from . import factories as f

AIRSPACE = dict(
    title="NATO's answer to Russian airspace violations",
    slug="airspace",
    question="How forcefully should NATO allies respond to Russian drones and jets "
    "violating allied airspace?",
    summary="After Russian drones entered Polish and Romanian airspace and MiG fighters "
    "crossed into Estonia, allies are weighing armed drones, looser rules of engagement "
    "for pilots and exercises on the border.",
    watch_query='(NATO OR allies) AND (drone* OR airspace OR "rules of engagement") NOT olympic*',
)

PARAPHRASE = (
    "Alliance weighs shooting down Russian unmanned aircraft over Poland",
    "Eastern European governments want the Western military pact to let fighter pilots "
    "fire on Russian unmanned aircraft that stray into their skies, after a week of "
    "incursions over Poland and Romania.",
)
UNRELATED = (
    "Village bakery wins national prize for its sourdough",
    "The judges praised the crust and the slow fermentation of a loaf baked in a "
    "wood-fired oven that has stood in the square since 1890.",
)
# Drone strikes in the war in Ukraine: close in words and meaning to the
# debate, but not what this desk follows.
STRIKES = [
    (
        "Russia launches hundreds of drones at Kyiv overnight",
        "Ukraine's air force said it shot down most of the Shahed drones and missiles "
        "fired at the capital, where falling debris set fire to apartment blocks.",
    ),
    (
        "Shahed drones hit Odesa's port and power stations",
        "Russian drones struck grain terminals and a power plant in the Ukrainian port "
        "city overnight, leaving tens of thousands without electricity.",
    ),
    (
        "Kharkiv hit by wave of Russian drones and glide bombs",
        "Ukrainian officials said Russian drones and bombs damaged homes and a hospital "
        "in Kharkiv, and air defences brought down dozens of the attackers.",
    ),
]
INCURSION = (
    "Poland scrambles jets after Russian drones violate its airspace",
    "NATO allies met to discuss a tougher response, including arming surveillance drones "
    "and loosening the rules of engagement for pilots on the eastern flank.",
)


def feed(path, entries):
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example/{n}</link>"
        f"<description>{body}</description></item>"
        for n, (title, body) in entries
    )
    path.write_text(
        f'<rss version="2.0"><channel><title>T</title><link>https://news.example/</link>'
        f"{items}</channel></rss>"
    )
    return path


def import_entries(tmp_path, entries, name="feed.xml"):
    out = StringIO()
    call_command("import_feed", str(feed(tmp_path / name, entries)), stdout=out)
    return json.loads(out.getvalue())


def flag_of(debate, slug_number):
    return Flag.objects.filter(
        debate=debate, item__canonical_url=f"https://news.example/{slug_number}"
    ).first()


@pytest.fixture
def airspace(db):
    return f.DebateFactory(**AIRSPACE)


def test_a_paraphrase_with_none_of_the_querys_words_is_flagged_by_similarity(airspace, tmp_path):
    import_entries(tmp_path, [("p", PARAPHRASE), ("u", UNRELATED)])
    flag = flag_of(airspace, "p")
    assert flag is not None
    assert flag.found_by == "similarity"
    assert flag.matched_terms == []
    assert 0 < flag.relevance <= 1
    assert flag.reason["nearest"] == "debate"
    assert flag.reason["passage"]
    assert flag_of(airspace, "u") is None


def test_the_querys_not_still_excludes_what_similarity_would_flag(airspace, tmp_path):
    olympic = (PARAPHRASE[0], PARAPHRASE[1] + " Olympic officials were told.")
    import_entries(tmp_path, [("p", PARAPHRASE), ("o", olympic)])
    assert flag_of(airspace, "p").found_by == "similarity"
    assert flag_of(airspace, "o") is None


def test_a_query_match_is_flagged_by_the_query_with_its_relevance(airspace, tmp_path):
    import_entries(tmp_path, [("i", INCURSION)])
    flag = flag_of(airspace, "i")
    assert flag.found_by == "query"
    assert flag.relevance > 0.5
    assert flag.reason["query_share"] == 1.0


def test_a_dismissed_kind_of_story_sinks_after_retraining(airspace, tmp_path):
    entries = [(f"t{n}", story) for n, story in enumerate(STRIKES)]
    import_entries(tmp_path, [*entries, ("i", INCURSION)])
    strikes = [flag_of(airspace, f"t{n}") for n in range(3)]
    assert [flag.found_by for flag in strikes] == ["similarity"] * 3
    before = strikes[2].relevance
    incursion_before = flag_of(airspace, "i").relevance

    # The desk dismisses two (as the review screen would, by a conditional update).
    Flag.objects.filter(id__in=[strikes[0].id, strikes[1].id]).update(
        status="dismissed", decided_at=timezone.now()
    )
    assert needs_training() == [airspace.id]
    train_relevance(airspace.id)
    assert needs_training() == []

    strikes[2].refresh_from_db()
    incursion = flag_of(airspace, "i")
    assert strikes[2].relevance < before / 2
    assert incursion.relevance >= incursion_before * 0.9
    assert incursion.relevance > 10 * strikes[2].relevance


def test_rematch_learns_from_accepted_flags_and_explains_by_the_nearest(airspace, tmp_path):
    import_entries(tmp_path, [("i", INCURSION)])
    accepted = flag_of(airspace, "i")
    Flag.objects.filter(id=accepted.id).update(status="accepted", decided_at=timezone.now())
    out = StringIO()
    call_command("rematch", "--debate", "airspace", stdout=out)
    assert json.loads(out.getvalue())["debate"] == "airspace"
    assert RelevanceModel.objects.get(debate=airspace).accepted_items == [
        {"id": accepted.item_id, "title": INCURSION[0]}
    ]
    again = (
        "Polish fighter jets scrambled as Russian drones again cross into its airspace",
        "Allies are discussing a tougher response, from arming surveillance drones to "
        "looser rules of engagement for pilots.",
    )
    import_entries(tmp_path, [("p", again)], name="later.xml")
    flag = flag_of(airspace, "p")
    assert flag.reason["nearest"] == "article"
    assert flag.reason["item_id"] == accepted.item_id
    assert flag.reason["title"] == INCURSION[0]


def test_an_items_embedding_is_computed_once_and_kept(airspace, tmp_path):
    import_entries(tmp_path, [("p", PARAPHRASE)])
    item = CoverageItem.objects.get(canonical_url="https://news.example/p")
    assert len(item.embedding) == 1024  # two vectors (text, title) of 256 float16s
    # Replace the stored vectors by another text's: re-scoring must use what is
    # stored, not compute it again.
    other = get_embedder().embed_items([UNRELATED])[0]
    CoverageItem.objects.filter(id=item.id).update(embedding=to_bytes(other))
    call_command("rematch", "--debate", "airspace", stdout=StringIO())
    item.refresh_from_db()
    assert bytes(item.embedding) == to_bytes(other)
    flag = flag_of(airspace, "p")
    assert flag.relevance < 0.01  # scored as the sourdough story it now claims to be


def test_the_embedding_does_not_depend_on_the_batch(db):
    embedder = get_embedder()
    alone = embedder.embed([PARAPHRASE[0]])[0]
    batched = embedder.embed([UNRELATED[0], PARAPHRASE[0], ""])
    assert np.allclose(alone, batched[1], atol=1e-6)
    assert not batched[2].any()
    assert abs(float(np.linalg.norm(alone)) - 1) < 1e-5


def test_flags_json_lists_the_queue_in_the_panels_order_with_how_each_was_found(airspace, tmp_path):
    import_entries(tmp_path, [("p", PARAPHRASE), ("i", INCURSION)])
    out = StringIO()
    call_command("flags", "--debate", "airspace", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(row["title"], row["found_by"]) for row in rows] == [
        (INCURSION[0], "query"),
        (PARAPHRASE[0], "similarity"),
    ]
    assert rows[0]["relevance"] > rows[1]["relevance"]


@pytest.mark.parametrize(
    "fields",
    [
        dict(relevance=1.5),
        dict(relevance=-0.1),
        dict(found_by="guess", relevance=0.5),
        dict(found_by="similarity", relevance=None),
    ],
)
def test_the_database_refuses_flags_that_break_the_relevance_rules(airspace, fields):
    item = CoverageItem.objects.create(
        canonical_url="https://x.example/1", url="https://x.example/1", title="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(item=item, debate=airspace, **fields)


def test_the_database_refuses_a_relevance_model_without_a_profile(airspace):
    with pytest.raises(IntegrityError), transaction.atomic():
        RelevanceModel.objects.create(debate=airspace, profile=b"", trained_at=timezone.now())


def test_with_relevance_off_only_the_query_flags_and_nothing_is_embedded(
    airspace, tmp_path, settings
):
    settings.TRACKER_RELEVANCE = False
    import_entries(tmp_path, [("p", PARAPHRASE), ("i", INCURSION)])
    assert list(Flag.objects.values_list("item__title", "found_by", "relevance")) == [
        (INCURSION[0], "query", None)
    ]
    assert not CoverageItem.objects.exclude(embedding=b"").exists()


def test_a_similarity_flag_names_the_actors_the_item_mentions(airspace, tmp_path):
    poland = f.CountryFactory(slug="poland", name="Poland", country="PL", aliases=["Warsaw"])
    import_entries(tmp_path, [("p", PARAPHRASE)])
    flag = flag_of(airspace, "p")
    assert flag.found_by == "similarity"
    assert list(flag.matched_actors.all()) == [poland]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_decisions_are_learnt_by_a_worker_on_the_cpu_queue(tmp_path):
    from tracker.tasks import queue_relevance_training

    from .workers import filesystem_broker, running_worker, wait_until, worker_env

    airspace = f.DebateFactory(**AIRSPACE)
    import_entries(tmp_path, [(f"t{n}", story) for n, story in enumerate(STRIKES)])
    strikes = [flag_of(airspace, f"t{n}") for n in range(3)]
    Flag.objects.filter(id__in=[strikes[0].id, strikes[1].id]).update(
        status="dismissed", decided_at=timezone.now()
    )
    env = worker_env(tmp_path)
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    log_path = tmp_path / "worker.log"
    # Beat's minute check runs on the default queue and hands the training to "cpu".
    with (
        running_worker(env, "celery,cpu", log_path) as worker,
        filesystem_broker(tmp_path) as conn,
    ):
        queue_relevance_training.apply_async(queue="celery", producer=conn.Producer())
        sunk = Flag.objects.filter(id=strikes[2].id, relevance__lt=strikes[2].relevance / 2)
        wait_until(sunk.exists, worker, log_path, what="the open flag was not re-scored")
    model = RelevanceModel.objects.get(debate=airspace)
    assert sorted(model.dismissed_items) == sorted([strikes[0].item_id, strikes[1].item_id])
    assert "train_relevance[" in log_path.read_text()
