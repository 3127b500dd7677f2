"""The settings that decide how fast work comes back after a fault: read from
the environment, with defaults of about a minute."""

from .subprocesses import run_settings

SHOW = (
    "o = settings.CELERY_BROKER_TRANSPORT_OPTIONS; "
    "print(settings.TRACKER_FEED_LEASE, settings.TRACKER_DISPATCH_INTERVAL, "
    "settings.CELERY_BEAT_SCHEDULE['dispatch-due-feeds']['schedule'], "
    "o['visibility_timeout'], o['unacked_restore_interval'] * o['unacked_restore_throttle'])"
)


def test_by_default_a_dead_workers_work_comes_back_in_about_a_minute(tmp_path):
    result = run_settings(tmp_path, code=SHOW, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    # A 60 s lease, a dispatch every 30 s; Redis hands back a dead worker's
    # tasks after 60 s, looked for every 10 s.
    assert result.stdout.split() == ["60", "30", "30.0", "60", "10"]


def test_each_is_set_from_the_environment(tmp_path):
    result = run_settings(
        tmp_path,
        code=SHOW,
        DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TRACKER_FEED_LEASE="90",
        TRACKER_DISPATCH_INTERVAL="20",
        CELERY_VISIBILITY="120",
        CELERY_RESTORE_INTERVAL="5",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["90", "20", "20.0", "120", "5"]


def test_a_lease_too_short_to_renew_is_refused(tmp_path):
    result = run_settings(tmp_path, DEBUG="1", TRACKER_FEED_LEASE="2")
    assert result.returncode != 0
    assert "TRACKER_FEED_LEASE must be at least 3 seconds" in result.stderr


def test_a_spread_as_long_as_the_lease_is_refused(tmp_path):
    result = run_settings(
        tmp_path, DEBUG="1", TRACKER_FEED_LEASE="30", TRACKER_DISPATCH_SPREAD="30"
    )
    assert result.returncode != 0
    assert "TRACKER_DISPATCH_SPREAD must be shorter than TRACKER_FEED_LEASE" in result.stderr
