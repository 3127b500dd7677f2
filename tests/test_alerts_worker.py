"""The reader-alert flow end to end with a real Celery worker sending the mail
(Django's file backend in a temp folder, which the worker and this test both
read): follow, confirm, a published shift makes one message, a second one the
same day makes none, and the message's one-click unsubscribe link works."""

import datetime
import email
import email.policy
import re
import uuid
from urllib.parse import urlsplit

import pytest

from tracker import desk
from tracker.models import Heartbeat, Reader, Subscription
from tracker.tasks import record_heartbeat, send_alerts

from . import factories as f
from .workers import filesystem_broker, running_worker, wait_until, worker_env

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def sent_mail(folder):
    """Every message the worker's file backend wrote, oldest first."""
    messages = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for part in path.read_bytes().split(SEPARATOR):
            if part.strip():
                messages.append(email.message_from_bytes(part, policy=email.policy.default))
    return messages


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def path_of(text, kind):
    [url] = re.findall(rf"https://tracker\.example/alerts/{kind}/[\w-]+/", text)
    return urlsplit(url).path


def heartbeat(conn, worker, log_path):
    name = f"mark-{uuid.uuid4().hex[:8]}"
    record_heartbeat.apply_async(args=[name], producer=conn.Producer())
    wait_until(Heartbeat.objects.filter(name=name).exists, worker, log_path, what="no heartbeat")


def run_sweep(conn, worker, log_path):
    """Send beat's alert sweep to the worker and wait until it and the tasks it
    queued are done: the worker takes one task at a time, so a heartbeat sent
    behind the sweep runs after it, and one sent then runs after its tasks."""
    send_alerts.apply_async(producer=conn.Producer())
    heartbeat(conn, worker, log_path)
    heartbeat(conn, worker, log_path)


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_reader_follows_confirms_gets_one_alert_a_day_and_unsubscribes(client, tmp_path):
    outbox = tmp_path / "mail"
    env = worker_env(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        TRACKER_SITE_URL="https://tracker.example",
    )
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    airspace = f.DebateFactory(slug="airspace", title="Airspace")
    estonia = f.CountryFactory(name="Estonia", slug="estonia")
    f.PositionFactory(actor=estonia, debate=airspace, stance=1, stated_on=datetime.date(2025, 9, 1))

    response = client.post(
        "/alerts/follow/", {"email": "reader@example.org", "debate": "airspace"}, follow=True
    )
    assert "Check your inbox" in response.content.decode()

    log_path = tmp_path / "worker.log"
    with running_worker(env, "celery", log_path) as worker, filesystem_broker(tmp_path) as conn:
        # The sweep sends the confirmation the web request queued elsewhere.
        run_sweep(conn, worker, log_path)
        [confirmation] = sent_mail(outbox)
        assert confirmation["To"] == "reader@example.org"
        assert confirmation["Subject"] == "[Policy Debate Tracker] Confirm your alerts for Airspace"
        client.post(path_of(body(confirmation), "confirm"))
        assert Subscription.objects.get().confirmed_at is not None

        shift = f.ready_draft(
            actor=estonia, debate=airspace, stance=2, summary="Wants drones armed."
        )
        desk.publish(shift, None)
        run_sweep(conn, worker, log_path)
        wait_until(lambda: len(sent_mail(outbox)) == 2, worker, log_path, what="no alert")
        alert = sent_mail(outbox)[1]
        assert alert["To"] == "reader@example.org"
        assert alert["Subject"] == "[Policy Debate Tracker] 1 new position: Airspace"
        text = body(alert)
        assert "Estonia: +2 (strongly more aggressive), stated 9 October 2025" in text
        assert "Firmed up: Estonia moved from +1 to +2" in text
        assert "“Wants drones armed.”" in text
        assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        # A second shift the same day: no second message.
        desk.publish(f.ready_draft(actor=estonia, debate=airspace, stance=0), None)
        run_sweep(conn, worker, log_path)
        assert len(sent_mail(outbox)) == 2

    # The header's link, as a mail client's one click sends it (RFC 8058).
    unsubscribe = alert["List-Unsubscribe"].strip().strip("<>")
    assert (
        unsubscribe == f"https://tracker.example/alerts/unsubscribe/{Reader.objects.get().token}/"
    )
    response = client.post(
        urlsplit(unsubscribe).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Reader.objects.exists() and not Subscription.objects.exists()
