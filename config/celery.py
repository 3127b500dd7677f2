import logging
import os
import threading
import time
from pathlib import Path

from celery import Celery, beat, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


@app.on_after_configure.connect
def make_filesystem_broker_folders(sender, source, **kwargs):
    """The embedded broker's folders, made when the app first reads its
    configuration (to publish a task, or to run a worker) rather than on import."""
    if not source.broker_url.startswith("filesystem://"):
        return
    options = source.broker_transport_options
    for name in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(name):
            Path(options[name]).mkdir(parents=True, exist_ok=True)


class PersistentScheduler(beat.PersistentScheduler):
    """Celery's default beat scheduler, making its schedule file's folder when
    beat starts."""

    def setup_schedule(self):
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()


class KeepTakenMessagesHidden(bootsteps.StartStopStep):
    """The visibility heartbeat of a worker on Redis.

    Redis hands a message back to the queue when it has been taken and not
    acknowledged for the visibility timeout (CELERY_VISIBILITY), whether its
    worker died or is still running it. So, several times a timeout, this
    thread marks every message the worker holds (running, reserved, waiting
    for its countdown) as seen now: while the worker lives they stay hidden,
    however long a task runs, and when it dies they come back within one
    timeout. Only messages still unacknowledged are touched (ZADD XX).
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs):
        super().__init__(c, **kwargs)
        self.stopping = None

    def start(self, c):
        channel = c.task_consumer.channel
        if not getattr(channel, "ack_emulation", False):  # not Redis
            return
        self.stopping = threading.Event()
        interval = max(0.5, channel.visibility_timeout / 6)
        threading.Thread(
            target=_keep_hidden,
            args=(channel, self.stopping, interval),
            name="visibility-heartbeat",
            daemon=True,
        ).start()

    def stop(self, c):
        if self.stopping is not None:
            self.stopping.set()

    shutdown = stop


def _keep_hidden(channel, stopping, interval):
    while not stopping.wait(interval):
        try:
            tags = list(channel.qos._delivered)  # kombu's own record of what this worker holds
            if tags:
                # The channel's pool, not its client: redis-py pools are thread-safe.
                with channel.conn_or_acquire() as client:
                    client.zadd(
                        channel.unacked_index_key, dict.fromkeys(tags, time.time()), xx=True
                    )
        except Exception as error:  # the broker is away: the consumer reconnects; try again
            logger.warning("could not keep this worker's messages hidden: %s", error)


app.steps["consumer"].add(KeepTakenMessagesHidden)
