"""Flags stored before now hold the shipped lexicon's reading (escalatory = +)
whatever the debate's poles; turn each to face its debate's own poles, as
ingestion now stores them, and drop it where the poles are not about
escalation."""

from django.db import migrations

from tracker.ingest.debate_cues import lexicon_orientation


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
