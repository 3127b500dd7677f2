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
def test_a_live_workers_task_stays_hidden_and_a_dead_ones_comes_back(tmp_path, broker):
    record = tmp_path / "record.txt"
    env = env_for(tmp_path, broker)
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    with (
        running_worker(env, "hold", logs[0], name="one", options=INCLUDE) as one,
        running_worker(env, "hold", logs[1], name="two", options=INCLUDE) as two,
    ):
        for log, worker in zip(logs, (one, two), strict=True):
            wait_until(lambda log=log: "ready" in log.read_text(), worker, log, what="no worker")
        send_hold(broker, record, 60)
        wait_until(lambda: starts(record), one, logs[0], what="the task never started")
        time.sleep(3 * VISIBILITY)  # the idle worker sweeps every second meanwhile
        say("injected", f"a task running {3 * VISIBILITY} s under a {VISIBILITY} s timeout")
        say("checked", f"it started {len(starts(record))} time(s)")
        assert len(starts(record)) == 1
        holder, other = (one, two) if int(starts(record)[0][1]) == one.pid else (two, one)
        kill_group(holder)
        killed = time.time()
        say("injected", "SIGKILL to the worker running it")
        wait_until(lambda: len(starts(record)) == 2, other, logs[0], what="not redelivered")
    back_after = float(starts(record)[1][2]) - killed
    say("checked", f"the other worker started it {back_after:.1f} s after the kill")
    # One timeout after the last time the dead worker kept it hidden, plus a sweep.
    assert back_after < VISIBILITY + 3
