"""Stored links lose their tracking parameters and fragment, as new ones do
(ingest.urls.without_tracking): the links editors and readers follow."""

from django.db import migrations
from django.db.models import Q

BATCH = 1000


def clean_links(apps, schema_editor):
    from tracker.ingest.urls import without_tracking

    CoverageItem = apps.get_model("tracker", "CoverageItem")
    changed = []
    maybe = CoverageItem.objects.filter(Q(url__contains="?") | Q(url__contains="#"))
    for item in maybe.only("id", "url").iterator(chunk_size=BATCH):
        cleaned = without_tracking(item.url)
        if cleaned != item.url:
            item.url = cleaned
            changed.append(item)
        if len(changed) >= BATCH:
            CoverageItem.objects.bulk_update(changed, ["url"])
            changed = []
    CoverageItem.objects.bulk_update(changed, ["url"])


class Migration(migrations.Migration):
    dependencies = [("tracker", "0016_relevance_classifier")]

    operations = [migrations.RunPython(clean_links, migrations.RunPython.noop)]
