"""The words channel of relevance: the debate's own vocabulary, each word
weighted by how rare it is in the stream of stored coverage."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tracker.models import CoverageItem, Flag, RelevanceModel
from tracker.relevance.lexical import Lexicon, item_stems
from tracker.relevance.scoring import MIN_SAMPLE
from tracker.watchquery import words

from . import factories as f
from .test_relevance import AIRSPACE


def terms(text):
    return item_stems(words(text), b"")


def test_a_word_most_of_the_stream_uses_weighs_less_than_a_rare_one():
    stream = [terms("Russian troops shell Kharkiv again")] * 200 + [
        terms("Jets patrol the airspace")
    ]
    lexicon = Lexicon.fit(["Russian drones violating allied airspace"], stream)
    assert lexicon.weights["airspac"] > 2 * lexicon.weights["russian"]
    assert "the" not in lexicon.weights  # function words are not the debate's words


def test_inflections_share_a_stem_and_the_reason_shows_the_debates_word():
    lexicon = Lexicon.fit(["Russian jets violating allied airspace"], [])
    item = terms("Estonia reports three airspace violations by Russian fighter jets")
    assert sorted(lexicon.words_in(item)) == ["airspace", "jets", "russian", "violating"]
    assert lexicon.score([item])[0] > lexicon.score([terms("Fighter jets at an air show")])[0]


WAR = [
    "Russian forces shell {city} as the war in Ukraine grinds on",
    "Kremlin says talks on Ukraine stall while Russian troops press near {city}",
    "Russian missiles hit power stations around {city}, Ukrainian officials say",
    "Markets in {city} shrug off new sanctions on Russian oil",
]
CITIES = ["Kharkiv", "Odesa", "Kherson", "Zaporizhzhia", "Dnipro", "Sumy", "Lviv", "Kyiv"]


@pytest.mark.django_db
def test_once_the_stream_is_large_the_debates_rare_words_lift_a_story(tmp_path):
    airspace = f.DebateFactory(**{**AIRSPACE, "watch_query": 'NATO AND "rules of engagement"'})
    CoverageItem.objects.bulk_create(
        CoverageItem(
            canonical_url=f"https://stream.example/{n}",
            url=f"https://stream.example/{n}",
            title=WAR[n % len(WAR)].format(city=CITIES[n % len(CITIES)]) + f" ({n})",
        )
        for n in range(MIN_SAMPLE)
    )
    call_command("rematch", "--debate", "airspace", stdout=StringIO())
    model = RelevanceModel.objects.get(debate=airspace)
    assert model.stats["words"] is not None  # measured on the stream
    assert model.lexicon["weights"]["airspac"] > 0
    assert "russian" not in model.lexicon["weights"]  # every item of this stream says it

    feed = tmp_path / "feed.xml"
    war = ("Russian forces shell Kherson again", "Ukrainian officials say the shelling went on.")
    incursion = (
        "Estonia says MiG fighters violated its airspace",
        "Three jets crossed into Estonian skies for twelve minutes before turning back.",
    )
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example/{k}</link>"
        f"<description>{b}</description></item>"
        for k, (t, b) in (("war", war), ("incursion", incursion))
    )
    feed.write_text(f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>')
    out = StringIO()
    call_command("import_feed", str(feed), stdout=out)
    assert json.loads(out.getvalue())["items_new"] == 2

    flag = Flag.objects.get(debate=airspace, item__canonical_url="https://news.example/incursion")
    assert flag.found_by == "similarity"
    assert {"airspace", "violations"} <= set(flag.reason["terms"])  # as the title says it
    war_flag = Flag.objects.filter(debate=airspace, item__canonical_url="https://news.example/war")
    assert not war_flag.exists() or war_flag.get().relevance < flag.relevance / 10
