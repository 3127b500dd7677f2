"""On Redis a message a worker has taken but not acknowledged goes back on the
queue after the visibility timeout. Workers keep the messages they hold
hidden while they are alive, so a task may run longer than the timeout
without a second copy starting, and a dead worker's messages come back one
timeout after its last sign of life."""

import time

import pytest
from kombu import Connection

from .celery_tasks import hold
from .faults import RedisServer, kill_group, say
from .workers import running_worker, wait_until, worker_env

VISIBILITY = 3
INCLUDE = ("--pool", "solo", "--include", "tests.celery_tasks")


def records(path):
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines()]


def starts(path):
    return [row for row in records(path) if row[0] == "start"]


@pytest.fixture
def broker(tmp_path):
    with RedisServer(tmp_path) as server:
        yield server.url()


def send_hold(broker, record, seconds):
    with Connection(broker) as conn:
        hold.apply_async((str(record), seconds), queue="hold", producer=conn.Producer())


def env_for(tmp_path, broker):
    return worker_env(
        tmp_path,
        REDIS_URL=broker,
        CELERY_VISIBILITY=str(VISIBILITY),
        CELERY_RESTORE_INTERVAL="1",
        CELERY_RESTORE_THROTTLE="1",
    )


@pytest.mark.slow
@pytest.mark.worker
def test_a_task_longer_than_the_visibility_timeout_runs_once(tmp_path, broker):
    record = tmp_path / "record.txt"
    env = env_for(tmp_path, broker)
    busy_log, idle_log = tmp_path / "busy.log", tmp_path / "idle.log"
    with (
        running_worker(env, "hold", busy_log, name="busy", options=INCLUDE) as busy,
        running_worker(env, "hold", idle_log, name="idle", options=INCLUDE) as idle,
    ):
        wait_until(lambda: "ready" in busy_log.read_text(), busy, busy_log, what="no worker")
        wait_until(lambda: "ready" in idle_log.read_text(), idle, idle_log, what="no worker")
        send_hold(broker, record, 4 * VISIBILITY)
        say("injected", f"a task of {4 * VISIBILITY} s under a {VISIBILITY} s visibility timeout")
        wait_until(
            lambda: any(row[0] == "done" for row in records(record)),
            busy, busy_log, what="the task did not finish",
        )  # fmt: skip
        time.sleep(2 * VISIBILITY)  # a copy restored late would start now
    say("checked", f"starts: {len(starts(record))} (the other worker swept every second)")
    assert len(starts(record)) == 1


@pytest.mark.slow
@pytest.mark.worker
def test_a_dead_workers_task_comes_back_one_visibility_timeout_later(tmp_path, broker):
    record = tmp_path / "record.txt"
    env = env_for(tmp_path, broker)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with running_worker(env, "hold", first_log, name="first", options=INCLUDE) as first:
        send_hold(broker, record, 30)
        wait_until(lambda: starts(record), first, first_log, what="the task never started")
        with running_worker(env, "hold", second_log, name="second", options=INCLUDE) as second:
            wait_until(
                lambda: "ready" in second_log.read_text(), second, second_log, what="no worker"
            )
            time.sleep(2 * VISIBILITY)  # alive, the first worker keeps the task hidden
            assert len(starts(record)) == 1
            kill_group(first)
            killed = time.time()
            say("injected", "SIGKILL to a worker in the middle of a task; another worker idle")
            wait_until(lambda: len(starts(record)) == 2, second, second_log, what="not redelivered")
    back_after = float(starts(record)[1][2]) - killed
    say("checked", f"the task started again {back_after:.1f} s after the kill")
    # One timeout after the last time the worker kept it hidden, plus a sweep.
    assert back_after < VISIBILITY + 3
