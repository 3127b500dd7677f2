from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import Heartbeat


@never_cache
def healthz(request):
    """Liveness for the proxy: the database answers; the worker's last heartbeat."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    beat = Heartbeat.objects.filter(name="scheduler").first()
    age = round((timezone.now() - beat.seen_at).total_seconds()) if beat else None
    return JsonResponse({"status": "ok", "database": "ok", "worker_seconds_since_seen": age})
