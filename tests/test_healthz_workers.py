"""/healthz and the background processes: the Procfile's beat and cpu worker keep
its heartbeat fresh, and workers not heard from turn it "degraded" (still 200: the
site itself serves; a monitor alerts on the status, a load balancer on the code)."""

import os
import re
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


@pytest.mark.django_db
def test_workers_not_heard_from_for_ten_minutes_make_healthz_degraded_but_200(client):
    Heartbeat.objects.create(name="scheduler", seen_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    health = response.json()
    assert (response.status_code, health["status"], health["database"], health["broker"]) == (
        200, "degraded", "ok", "ok",
    )  # fmt: skip
    assert health["worker_seconds_since_seen"] == 600
    Heartbeat.objects.filter(name="scheduler").update(seen_at=timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db
def test_workers_never_heard_from_are_degraded_too(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker_seconds_since_seen"] is None


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
def test_the_procfiles_beat_and_cpu_worker_keep_healthz_ok(client, tmp_path):
    assert re.search(r"--queues \S*celery", procfile_command("cpu")), "heartbeats go to 'celery'"
    env = worker_env(
        tmp_path,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        CPU_CONCURRENCY="1",
    )
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    log_path = tmp_path / "processes.log"
    with ExitStack() as processes:
        worker = processes.enter_context(procfile_process("cpu", env, log_path))
        processes.enter_context(procfile_process("beat", env, log_path))
        wait_for_heartbeat("scheduler", worker, log_path)
    health = client.get("/healthz").json()
    print("/healthz with the Procfile's beat and cpu worker running:", health)
    assert health["status"] == "ok"
    assert 0 <= health["worker_seconds_since_seen"] <= 60
