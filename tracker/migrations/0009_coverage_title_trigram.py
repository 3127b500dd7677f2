"""Trigram indexes so the admin's substring search over coverage stays fast at a
million items. PostgreSQL only; skipped (with a warning) where the pg_trgm
extension cannot be created, and on SQLite."""

import warnings

from django.db import DatabaseError, migrations, transaction

# The admin's icontains search compares UPPER(column::text) LIKE UPPER(...).
INDEXES = {
    "item_title_trgm": "UPPER(title::text)",
    "item_canonical_url_trgm": "UPPER(canonical_url::text)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        warnings.warn(f"pg_trgm unavailable, coverage search stays unindexed: {error}", stacklevel=1)
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON tracker_coverageitem "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0008_digest")]

    operations = [migrations.RunPython(create, drop)]
