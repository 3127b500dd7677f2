import pytest
from django.utils import timezone

from tracker.models import Heartbeat


@pytest.mark.django_db
def test_healthz_reports_the_database_and_the_workers_last_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker_seconds_since_seen": None,
    }
    Heartbeat.objects.create(name="scheduler", seen_at=timezone.now())
    assert client.get("/healthz").json()["worker_seconds_since_seen"] == 0
