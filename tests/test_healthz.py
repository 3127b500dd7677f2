import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from tracker.models import Heartbeat

from .subprocesses import clean_environment


@pytest.mark.django_db
def test_healthz_reports_the_database_the_broker_and_the_workers_last_heartbeat(client):
    for queue in ("celery", "fetch", "cpu"):
        Heartbeat.objects.create(name=queue, seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    health = response.json()
    ages = health.pop("queues")
    assert sorted(ages) == ["celery", "cpu", "fetch"]
    assert all(0 <= age <= 5 for age in ages.values())  # a busy machine answers late
    assert health == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker_seconds_since_seen": max(ages.values()),
    }


@pytest.mark.django_db
def test_a_broker_that_is_down_is_reported_degraded_without_its_address(client):
    from config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 200  # pages are still served
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unreachable"
    assert "127.0.0.1" not in response.content.decode()


def test_a_database_that_is_down_is_a_503_that_does_not_name_it(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='localhost'); "
        "print(r.status_code); print(r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean_environment(
            tmp_path,
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="1",
            DATABASE_URL="postgres://tracker:secret@127.0.0.1:1/tracker",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = result.stdout.strip().splitlines()
    assert status == "503"
    assert body == '{"status": "error", "database": "unreachable"}'
    assert "127.0.0.1" not in result.stdout and "secret" not in result.stdout
