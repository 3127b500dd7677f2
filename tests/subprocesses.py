"""Settings as a fresh process reads them: a clean environment, a data directory
of the test's own, and no local settings file unless one is given."""

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR
SETTINGS_VARIABLES = (
    "SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE",
    "TRACKER_LOCAL_ENV",
)  # fmt: skip


def clean_environment(tmp_path, **env):
    """This process's environment without any settings, the data directory in
    tmp_path and no local settings file unless one is given."""
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment.update(TRACKER_DATA_DIR=str(tmp_path), TRACKER_LOCAL_ENV=str(tmp_path / "none.env"))
    environment.update(env)
    return environment


def stop(process, timeout=20):
    """Stop a process this test started: asked first, killed if it does not listen."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_settings(tmp_path, code="print('ok')", **env):
    environment = clean_environment(tmp_path, DJANGO_SETTINGS_MODULE="config.settings", **env)
    script = f"import django; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
