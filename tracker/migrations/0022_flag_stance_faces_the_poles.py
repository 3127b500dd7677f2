"""Flags stored before now hold the shipped lexicon's reading (escalatory = +)
whatever the debate's poles; turn each to face its debate's own poles, as
ingestion now stores them, and drop it where the poles are not about
escalation."""

from django.db import migrations

from tracker.relevance.lexical import stems
from tracker.watchquery import words

# The shipped lexicon's pole words and its reading of a debate's labels as they
# stood when this was written (ingest/debate_cues.lexicon_orientation): what
# this migration does to stored flags must not change when the lexicon does.
ESCALATORY_POLE_WORDS = ["aggressive", "tough*", "firm*", "hardline", "escalat*", "retaliat*"]
RESTRAINING_POLE_WORDS = [
    "conservative", "caution*", "restraint", "restrained", "de-escalat*", "measured",
    "proportionate", "diplomatic", "calm",
]  # fmt: skip


def _stem_set(phrases):
    return {s for phrase in phrases for s in stems(words(phrase.replace("*", "")))}


def lexicon_orientation(low_label, high_label):
    """+1 when the escalatory words point at the high pole, -1 when they point
    at the low one, 0 when the labels do not say."""
    escalatory, restraining = _stem_set(ESCALATORY_POLE_WORDS), _stem_set(RESTRAINING_POLE_WORDS)
    high, low = _stem_set([high_label]), _stem_set([low_label])
    facing = len(high & escalatory) + len(low & restraining)
    against = len(high & restraining) + len(low & escalatory)
    return (facing > against) - (facing < against)


def _turned(reasons, orientation):
    return [{**reason, "direction": reason["direction"] * orientation} for reason in reasons]


def face_the_poles(apps, schema_editor, undo=False):
    Debate = apps.get_model("tracker", "Debate")
    Flag = apps.get_model("tracker", "Flag")
    for debate in Debate.objects.only("id", "low_label", "high_label"):
        orientation = lexicon_orientation(debate.low_label, debate.high_label)
        flags = Flag.objects.filter(debate=debate, suggested_stance__isnull=False)
        if orientation == 0 and not undo:
            flags.update(suggested_stance=None, stance_reasons=[])
        elif orientation < 0:
            for flag in flags.only("id", "suggested_stance", "stance_reasons"):
                flag.suggested_stance = -flag.suggested_stance
                flag.stance_reasons = _turned(flag.stance_reasons, -1)
                flag.save(update_fields=["suggested_stance", "stance_reasons"])


def back(apps, schema_editor):
    # What was dropped cannot come back; what was turned turns back.
    face_the_poles(apps, schema_editor, undo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0021_evidence_url_on_the_web"),
    ]

    operations = [migrations.RunPython(face_the_poles, back)]
