"""Real Celery worker processes for tests: started with the settings a
deployment would use, pointed at the test database and a chosen broker."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from config.settings import filesystem_broker_options
from tracker.models import Heartbeat

from .subprocesses import stop

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
def running(command, env, log_path):
    """A process of the project's own, its output in log_path, in a process group
    of its own (os.killpg(process.pid, ...) reaches a prefork worker's children
    too); SIGTERM at the end, SIGKILL if it lingers."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            yield process
        finally:
            stop(process)


def running_worker(env, queues, log_path, name=None, options=("--pool", "solo")):
    """A worker on the given queues; options replace the solo pool."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--queues", queues, "--loglevel", "info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"{name or queues.split(',')[0]}@%h", *options,
    ]  # fmt: skip
    return running(command, env, log_path)


# Generous: on a loaded machine a worker takes long to start, and a test only
# waits this long when it is about to fail anyway.
WAIT_SECONDS = 180


def wait_until(
    condition, worker, log_path, timeout=WAIT_SECONDS, what="the worker did not do its job"
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"{what}; the worker's log:\n{log_path.read_text()[-4000:]}")


def wait_for_heartbeat(name, worker, log_path, timeout=WAIT_SECONDS):
    wait_until(
        Heartbeat.objects.filter(name=name).exists, worker, log_path, timeout,
        "the worker did not run the task",
    )  # fmt: skip


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
    """The broker a worker started with TRACKER_DATA_DIR=data_dir and no REDIS_URL uses."""
    return Connection(
        "filesystem://localhost/", transport_options=filesystem_broker_options(data_dir / "broker")
    )
