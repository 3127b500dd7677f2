"""The public change stamp: when anything a reader can see last changed. Every
save, delete or many-to-many change to a model the public site shows moves it,
a draft's too (a save can take a row into or out of public view), except a new
outlet or story, which no page shows until evidence cites it; and public
pages take their ETag, Last-Modified and cache keys from it
(tracker/public/freshness.py). Connected in TrackerConfig.ready().

The row in the database is the stamp. When the page cache is a Redis every
process shares, the stamp is also kept there beside the pages, so a page
served from the cache costs no database query: a change deletes it there at
once and sets the new one when the change is committed; a reader who finds
none reads the row and adds it, which never overwrites a newer one. If Redis
missed a change (it was unreachable) its copy lasts STAMP_CACHE_SECONDS at most."""

import datetime

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import (
    Actor,
    ChangeStamp,
    CoverageItem,
    DataRelease,
    Debate,
    Evidence,
    Membership,
    Outlet,
    Position,
    Proposal,
)

PUBLIC = "public"
STAMP_KEY = "stamp.public"
STAMP_CACHE_SECONDS = 10
PUBLIC_MODELS = (
    Actor,
    Membership,
    Debate,
    Proposal,
    Position,
    Evidence,
    Outlet,
    CoverageItem,
    DataRelease,
)


def public_changed():
    changed_at = timezone.now()
    ChangeStamp.objects.update_or_create(key=PUBLIC, defaults={"changed_at": changed_at})
    shared = shared_page_cache()
    if shared is not None:
        shared.delete(STAMP_KEY)
        transaction.on_commit(lambda: shared.set(STAMP_KEY, changed_at, STAMP_CACHE_SECONDS))


def public_stamp():
    shared = shared_page_cache()
    if shared is None:
        return _stored_stamp()
    stamp = shared.get(STAMP_KEY)
    if stamp is None:
        stamp = _stored_stamp()
        shared.add(STAMP_KEY, stamp, STAMP_CACHE_SECONDS)
    return stamp


def shared_page_cache():
    """The pages cache when every process shares it (Redis), else None: an
    in-memory cache is each process's own and cannot hear of another's changes."""
    pages = caches["pages"]
    return pages if isinstance(pages, RedisCache) else None


NOTHING_YET = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _stored_stamp():
    # Read on every request without a shared cache: plain SQL, without the ORM's cost.
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, [PUBLIC])
        row = cursor.fetchone()
    if row is None:  # nothing published yet: one fixed stamp, so pages revalidate
        return NOTHING_YET
    stamp = row[0]
    if isinstance(stamp, str):  # SQLite without the ORM's converters
        stamp = datetime.datetime.fromisoformat(stamp)
    return stamp if timezone.is_aware(stamp) else stamp.replace(tzinfo=datetime.UTC)


# Names from the model, quoted; the key is a parameter.
_STAMP_SQL = "SELECT {changed_at} FROM {table} WHERE {key} = %s".format(  # noqa: S608
    table=connection.ops.quote_name(ChangeStamp._meta.db_table),
    changed_at=connection.ops.quote_name("changed_at"),
    key=connection.ops.quote_name("key"),
)


# Readers see an outlet or a story only through the evidence that cites it,
# whose own save moves the stamp: a new one changes no page. (A worker meeting
# 200 new outlets would otherwise make every cached page stale 200 times.)
SEEN_THROUGH_EVIDENCE = (Outlet, CoverageItem)


@receiver(post_save)
@receiver(post_delete)
def _on_change(sender, **kwargs):
    # Fixtures being loaded (raw) are not edits.
    if sender not in PUBLIC_MODELS or kwargs.get("raw"):
        return
    if kwargs.get("created") and sender in SEEN_THROUGH_EVIDENCE:
        return
    public_changed()


@receiver(m2m_changed)
def _on_m2m_change(sender, **kwargs):
    if kwargs.get("model") in PUBLIC_MODELS and kwargs.get("action", "").startswith("post_"):
        public_changed()
