"""What a database holds and what readers see from it, as JSON on stdout: every
table's row count and a digest of its rows, and a few public pages. Run as
`python -m tests.database_contents` with the settings of the database to read,
so an original and its restored copy can be compared."""

import hashlib
import json

import django

PAGES = [
    "/",
    "/debates/nato-response-to-russian-airspace-violations/",
    "/debates/nato-response-to-russian-airspace-violations/feed/",
    "/actors/estonia/",
    "/actors/",
    "/export/positions.csv",
    "/api/v1/positions/?limit=500",
]


def tables(connection):
    contents = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            # The names come from the database's own catalogue.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            # In no particular order: the same rows are the same table.
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            contents[table] = [len(rows), digest]
    return contents


def pages():
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rendered = {}
    for path in PAGES:
        response = client.get(path)
        rendered[path] = [response.status_code, response.content.decode()]
    return rendered


def main():
    django.setup()
    from django.db import connection

    modelled = sorted(connection.introspection.django_table_names(only_existing=False))
    print(json.dumps({"tables": tables(connection), "modelled": modelled, "pages": pages()}))


if __name__ == "__main__":
    main()
