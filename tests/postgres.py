"""Scratch PostgreSQL databases for tests that need one of their own (a deployment
on PostgreSQL, a restore into an empty database), whichever database the suite
itself runs on. The server is DATABASE_URL's when that is PostgreSQL, otherwise
the local one at 127.0.0.1:5432."""

import os
import secrets
from contextlib import contextmanager
from urllib.parse import urlparse

from .conftest import require_service, tcp_reachable


def server_url():
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme in ("postgres", "postgresql", "pgsql"):
        parsed = urlparse(url)
        return f"{parsed.scheme}://{parsed.netloc}"
    return "postgres://postgres@127.0.0.1:5432"


def require_postgresql():
    require_service("PostgreSQL", tcp_reachable(server_url(), 5432), server_url())


@contextmanager
def scratch_database(label, create=True):
    """The URL of a new, empty database (or, with create=False, of one the test
    will create itself), dropped afterwards."""
    import psycopg

    require_postgresql()
    name = f"pdt_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    if create:
        with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url()}/{name}"
    finally:
        with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
