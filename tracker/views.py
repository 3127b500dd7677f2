import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import Heartbeat
from .public.freshness import read_only

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.0  # seconds: a load balancer's check must answer quickly
# Beat sends a heartbeat down every queue each minute and a worker on that queue
# records it: five missed in a row means no beat, or no worker on the queue, and
# that queue's background work has stopped.
HEARTBEAT_STALE_SECONDS = 300


def broker_reachable():
    from config.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except Exception as error:  # any broker failure: report it, log the detail
        logger.warning("health check: the broker is unreachable: %s", error)
        return False
    return True


@never_cache
def healthz(request):
    """For a load balancer: 503 when the database does not answer (this process
    cannot serve), 200 otherwise. A broker that is down, or workers not heard
    from, only delay background work: "degraded" with 200, for a monitor to
    alert on. Errors are logged, never shown: they name hosts and ports."""
    try:
        queues = heartbeat_ages()
    except Exception as error:  # unreachable or not migrated: this process cannot serve
        logger.error("health check: the database does not answer: %s", error)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    broker = broker_reachable()
    ages = list(queues.values())
    stalest = None if None in ages else max(ages)
    workers = stalest is not None and stalest <= HEARTBEAT_STALE_SECONDS
    return JsonResponse(
        {
            "status": "ok" if broker and workers else "degraded",
            "database": "ok",
            "broker": "ok" if broker else "unreachable",
            "worker_seconds_since_seen": stalest,
            "queues": queues,
        }
    )


def heartbeat_ages():
    """{queue: seconds since a worker on it recorded beat's heartbeat, or None}."""
    seen = dict(
        Heartbeat.objects.filter(name__in=settings.TRACKER_QUEUES).values_list("name", "seen_at")
    )
    now = timezone.now()
    return {
        queue: round((now - seen[queue]).total_seconds()) if queue in seen else None
        for queue in settings.TRACKER_QUEUES
    }


def _is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """An address that is not there: the API answers JSON as its own 404s do,
    everything else the public site's page (with a way on)."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "public/404.html", {"request_path": request.path}, status=404)


def server_error(request):
    """Something broke: a page that needs nothing that might have broken (no
    database, no context), or the API's JSON."""
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())


@never_cache
@read_only
def robots_txt(request):
    from .public.links import site_url

    # The alert pages (a sign-up's answer, a confirmation) are for the one reader
    # they are addressed to, never for a search index.
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /alerts/"]
    lines.append(f"Sitemap: {site_url('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
