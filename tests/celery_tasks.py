"""Tasks only tests run, loaded by a test's worker with `--include tests.celery_tasks`."""

import os
import time

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def hold(path, seconds):
    """Note each start and each end in a file, and take `seconds` in between."""
    with open(path, "a") as record:
        record.write(f"start {os.getpid()} {time.time()}\n")
    time.sleep(seconds)
    with open(path, "a") as record:
        record.write(f"done {os.getpid()} {time.time()}\n")
