"""Real services of a test's own for fault tests: a Redis server and a
PostgreSQL cluster it may stop and start, beat, gunicorn, and a feed server
standing in for many feeds. Each stops only the processes it started."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import require_service

ROOT = Path(settings.BASE_DIR)


def say(what, detail):
    """What a fault test injected or checked, for its output."""
    print(f"{what}: {detail}", flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} (after {seconds} s)")


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop(process, timeout=20):
    """SIGTERM one process this test started, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RedisServer:
    """redis-server on a free port, keeping nothing on disk: stopping it loses
    every queued message, the worst a broker can do."""

    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        require_service("redis-server", self.binary, "a broker of the test's own")
        self.folder = folder
        self.port = free_port()
        self.process = None

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: answers(self.port), 10, "redis-server did not start")

    def stop(self):
        stop(self.process)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


@contextmanager
def running(command, env, log_path):
    """A process of the project's own (beat, gunicorn) with its output in log_path."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            yield process
        finally:
            stop(process)


def beat(env, log_path, folder):
    return running(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "info",
         "--schedule", str(folder / "beat-schedule")],
        env, log_path,
    )  # fmt: skip


def kill_group(process):
    """SIGKILL a worker started in a session of its own, children included."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
