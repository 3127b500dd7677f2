"""A task enqueued through the configured broker is executed by a real worker
process, on Redis and on the filesystem transport."""

import uuid

import pytest
from kombu import Connection

from tracker.models import Heartbeat
from tracker.tasks import record_heartbeat

from .workers import filesystem_broker, running_worker, wait_for_heartbeat, worker_env


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
