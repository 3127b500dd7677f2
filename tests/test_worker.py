"""A task enqueued through the configured broker is executed by a real worker
process, on Redis and on the filesystem transport."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from tracker.models import Heartbeat
from tracker.tasks import record_heartbeat

ROOT = Path(settings.BASE_DIR)


def database_url():
    """A URL for the database this test runs on, for the worker to open."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def running_worker(env, queue, log_path):
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "solo", "--queues", queue, "--loglevel", "info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"{queue}@%h",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            yield worker
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def wait_for_heartbeat(name, worker, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(name=name).exists():
            return
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"the worker did not run the task; its log:\n{log_path.read_text()[-4000:]}")


def worker_env(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "TRACKER_DATA_DIR", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(),
        TRACKER_DATA_DIR=str(tmp_path),
        **extra,
    )
    return env


def filesystem_broker(data_dir):
    folder = data_dir / "broker"
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        },
    )


def round_trip(env, broker, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    name = f"round-trip-{queue}"
    log_path = tmp_path / "worker.log"
    with running_worker(env, queue, log_path) as worker, broker as conn:
        record_heartbeat.apply_async(args=[name], queue=queue, producer=conn.Producer())
        wait_for_heartbeat(name, worker, log_path)
    assert Heartbeat.objects.get(name=name).seen_at is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_filesystem_transport_runs_an_enqueued_task(tmp_path):
    env = worker_env(tmp_path)
    # The worker's own settings create the folders under its data directory.
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    round_trip(env, filesystem_broker(tmp_path), tmp_path)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_runs_an_enqueued_task(tmp_path, redis_url):
    env = worker_env(tmp_path, REDIS_URL=redis_url)
    round_trip(env, Connection(redis_url), tmp_path)
