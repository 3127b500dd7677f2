import os
from pathlib import Path

from celery import Celery, beat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
