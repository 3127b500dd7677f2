"""Repeat views are cheap: every public page answers conditional requests from
the time readers' data last changed, and rendered pages are cached under that
time, so any change to published data makes every cached page stale at once."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from ..models import (
    Actor,
    ChangeStamp,
    CoverageItem,
    Debate,
    Evidence,
    Membership,
    Outlet,
    Position,
    Proposal,
)

PUBLIC = "public"
PUBLIC_MODELS = (Actor, Membership, Debate, Proposal, Position, Evidence, Outlet, CoverageItem)
CACHE_SECONDS = 600


def public_changed():
    ChangeStamp.objects.update_or_create(key=PUBLIC, defaults={"changed_at": timezone.now()})


@receiver(post_save)
@receiver(post_delete)
def _on_change(sender, **kwargs):
    if sender in PUBLIC_MODELS and not kwargs.get("raw"):
        public_changed()


@receiver(m2m_changed)
def _on_m2m_change(sender, **kwargs):
    if kwargs.get("model") in PUBLIC_MODELS and kwargs.get("action", "").startswith("post_"):
        public_changed()


def public_stamp():
    stamp = ChangeStamp.objects.filter(key=PUBLIC).values_list("changed_at", flat=True).first()
    return stamp or timezone.now().replace(year=2000, month=1, day=1, microsecond=0)


def fresh_public_page(view):
    """Answer If-None-Match / If-Modified-Since with 304, and serve rendered pages
    from the cache until readers' data changes."""

    name = getattr(view, "__name__", type(view).__name__)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        stamp = public_stamp()
        identity = f"{stamp.isoformat()}|{request.get_full_path()}|{name}"
        etag = quote_etag(hashlib.sha256(identity.encode()).hexdigest()[:32])
        last_modified = http_date(stamp.timestamp())
        if _not_modified(request, etag, stamp):
            response = HttpResponseNotModified()
        else:
            key = "page:" + hashlib.sha256(identity.encode()).hexdigest()
            response = cache.get(key)
            if response is None:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not getattr(response, "streaming", False):
                    if hasattr(response, "render") and callable(response.render):
                        response = response.render()
                    cache.set(key, response, CACHE_SECONDS)
        response["ETag"] = etag
        response["Last-Modified"] = last_modified
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper


def _not_modified(request, etag, stamp):
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE") or "")
    return since is not None and int(stamp.timestamp()) <= since
