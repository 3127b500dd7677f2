"""When Redis goes away, a worker drops its broker connection and connects
again. Celery 5.7's worker drops it in two steps, collect() and then close(),
and only broker errors are expected from them: anything else escapes the
reconnect and the worker process exits, leaving its queues to wait for a
restart by hand. Here the connection is in the state Redis leaves a busy
worker's in: the task channel holding a message it has not acknowledged, and
every channel waiting on a BRPOP reply that will never come."""

from contextlib import suppress

from kombu import Connection, Exchange, Queue
from kombu.common import ignore_errors

from .faults import RedisServer, say
from .subprocesses import run_settings


def worker_transport(tmp_path):
    """The transport the settings give a worker whose broker is Redis."""
    result = run_settings(
        tmp_path, code="print(settings.CELERY_BROKER_TRANSPORT)", DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_dropping_a_connection_redis_left_raises_only_broker_errors(tmp_path):
    tasks = Queue("tasks", Exchange("tasks"), "tasks")
    control = Queue("control", Exchange("control"), "control")
    with RedisServer(tmp_path) as redis:
        connection = Connection(redis.url(0), transport=worker_transport(tmp_path))
        held = []
        connection.Producer().publish({"n": 1}, exchange=tasks.exchange, routing_key="tasks",
                                      declare=[tasks])  # fmt: skip
        connection.Consumer([tasks], callbacks=[lambda body, message: held.append(message)],
                            accept=["json"]).consume()  # fmt: skip
        connection.Consumer([control], channel=connection.channel(), callbacks=[],
                            accept=["json"]).consume()  # fmt: skip
        connection.drain_events(timeout=5)
        with suppress(TimeoutError):  # each channel sends a BRPOP that finds its queue empty
            connection.drain_events(timeout=0.2)
        channels = list(connection.transport.channels)
        assert len(held) == 1 and not held[0].acknowledged
        assert len(channels) == 2 and all(channel._in_poll for channel in channels)
        redis.stop()
        say("injected", "Redis stopped: one message unacknowledged, both channels on a BRPOP")
    with suppress(Exception):  # as the worker does: collecting is best effort
        connection.collect()
    ignore_errors(connection, connection.close)  # raises anything but a broker error
    assert all(channel.closed for channel in channels)
    say("checked", "the connection was collected and closed, every channel closed, no other error")
