"""/healthz and the background processes: beat sends a heartbeat down every queue,
the Procfile's workers keep each fresh, and a queue not heard from turns it
"degraded" and is named (still 200: the site itself serves; a monitor alerts on
the status, a load balancer on the code)."""

import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tracker.models import Heartbeat

from .subprocesses import ROOT, stop
from .workers import wait_for_heartbeat, worker_env

QUEUES = ("celery", "fetch", "cpu")


def heard(minutes_ago, **older):
    """Every queue's heartbeat `minutes_ago`, except the ones given."""
    for queue in QUEUES:
        ago = older.get(queue, minutes_ago)
        Heartbeat.objects.create(name=queue, seen_at=timezone.now() - timedelta(minutes=ago))


@pytest.mark.django_db
def test_workers_not_heard_from_for_ten_minutes_make_healthz_degraded_but_200(client):
    heard(10)
    response = client.get("/healthz")
    health = response.json()
    assert (response.status_code, health["status"], health["database"], health["broker"]) == (
        200, "degraded", "ok", "ok",
    )  # fmt: skip
    assert health["worker_seconds_since_seen"] == 600
    Heartbeat.objects.update(seen_at=timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db
def test_one_queue_nobody_consumes_is_degraded_and_named(client):
    heard(0, fetch=10)
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["queues"] == {"celery": 0, "cpu": 0, "fetch": 600}
    assert health["worker_seconds_since_seen"] == 600  # the stalest queue's


@pytest.mark.django_db
def test_workers_never_heard_from_are_degraded_too(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker_seconds_since_seen"] is None
    assert response.json()["queues"] == {"celery": None, "cpu": None, "fetch": None}


def procfile_command(name):
    """A Procfile line as honcho or a platform runs it, through the shell."""
    for line in (Path(ROOT) / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"the Procfile has no {name} process")


@contextmanager
def procfile_process(name, env, log_path):
    # exec: the process stopped at the end is Celery itself, not a shell around it.
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {procfile_command(name)}"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop(process, timeout=30)


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_missing_fetch_worker_is_named_by_healthz_until_the_procfiles_fetch_worker_runs(
    client, tmp_path
):
    env = worker_env(
        tmp_path,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        CPU_CONCURRENCY="1",
        FETCH_CONCURRENCY="1",
    )
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    log_path = tmp_path / "processes.log"
    with ExitStack() as processes:
        cpu = processes.enter_context(procfile_process("cpu", env, log_path))
        processes.enter_context(procfile_process("beat", env, log_path))
        wait_for_heartbeat("celery", cpu, log_path)
        wait_for_heartbeat("cpu", cpu, log_path)
        without_fetch = client.get("/healthz").json()
        print("/healthz with beat and the cpu worker, no fetch worker:", without_fetch)
        fetch = processes.enter_context(procfile_process("fetch", env, log_path))
        wait_for_heartbeat("fetch", fetch, log_path)
        with_fetch = client.get("/healthz").json()
        print("/healthz once the fetch worker runs too:", with_fetch)
    assert without_fetch["status"] == "degraded"
    assert without_fetch["queues"]["fetch"] is None
    assert 0 <= without_fetch["queues"]["cpu"] <= 60
    assert 0 <= without_fetch["queues"]["celery"] <= 60
    assert with_fetch["status"] == "ok"
    assert 0 <= with_fetch["worker_seconds_since_seen"] <= 120
