"""Reader alerts: follow a debate or an actor by email, confirm by a link
(double opt-in), and get at most one message a day with what was published
since the last one. The web request only records the subscription; the
workers send every message (tasks.send_confirmation, tasks.send_alerts)."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .desk import shift_description
from .models import Position, Reader, Subscription
from .models.stance import describe_stance
from .public.links import site_url

# At most one alert a day per reader, whatever they follow.
ALERT_PERIOD = timedelta(days=1)
# One confirmation request a day per follow, however often the form is sent:
# the form cannot be used to fill someone's inbox.
CONFIRMATION_PERIOD = timedelta(days=1)
MAX_POSITIONS_PER_ALERT = 50
# An address that never confirmed is not kept longer than this.
UNCONFIRMED_KEPT = timedelta(days=7)


def normalise(email):
    # Addresses are compared without case: one reader per mailbox in practice.
    return email.strip().lower()


def subscribe(email, debate=None, actor=None, now=None):
    """Record a follow and return the subscription to confirm, or None when
    there is nothing to send (already confirmed, or asked for confirmation
    today). The caller says the same thing to the reader in every case."""
    now = now or timezone.now()
    # get_or_create takes a concurrent create of the same row as a get.
    with transaction.atomic():
        reader, _ = Reader.objects.get_or_create(email=normalise(email))
        subscription, _ = Subscription.objects.get_or_create(
            reader=reader, debate=debate, actor=actor
        )
    if subscription.confirmed_at is not None:
        return None
    sent = subscription.confirmation_sent_at
    if sent is not None and sent > now - CONFIRMATION_PERIOD:
        return None
    return subscription


def target_url(subscription):
    if subscription.debate_id:
        return site_url(reverse("public:debate", args=[subscription.debate.slug]))
    return site_url(reverse("public:actor", args=[subscription.actor.slug]))


def _headers(unsubscribe_url):
    # RFC 8058: mail clients offer one click, which POSTs to the link.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_confirmation(subscription_id, now=None):
    """Ask the address to confirm a follow, once per CONFIRMATION_PERIOD; a
    conditional update claims the sending so two workers never both send."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.filter(pk=subscription_id, confirmed_at=None)
        .select_related("reader", "debate", "actor")
        .first()
    )
    if subscription is None:
        return False
    sent = subscription.confirmation_sent_at
    if sent is not None and sent > now - CONFIRMATION_PERIOD:
        return False
    claimed = Subscription.objects.filter(pk=subscription.pk, confirmation_sent_at=sent).update(
        confirmation_sent_at=now
    )
    if not claimed:
        return False
    unsubscribe = site_url(reverse("public:alerts-unsubscribe", args=[subscription.token]))
    context = {
        "target": subscription.target,
        "confirm_url": site_url(reverse("public:alerts-confirm", args=[subscription.token])),
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMessage(
        subject=render_to_string("email/alert_confirm_subject.txt", context).strip(),
        body=render_to_string("email/alert_confirm_body.txt", context).rstrip("\n"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.reader.email],
        headers=_headers(unsubscribe),
    )
    try:
        message.send()
    except Exception:
        # The mail server is down: give the claim back for the next sweep.
        Subscription.objects.filter(pk=subscription.pk, confirmation_sent_at=now).update(
            confirmation_sent_at=sent
        )
        raise
    return True


def confirm(token, now=None):
    """Confirm the follow this token names; alerts cover what is published from now."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.filter(token=token).select_related("debate", "actor").first()
    )
    if subscription is not None and subscription.confirmed_at is None:
        Subscription.objects.filter(pk=subscription.pk, confirmed_at=None).update(
            confirmed_at=now, covered_until=now
        )
    return subscription


def stopped_by(token):
    """What an unsubscribe link stops: one follow (a Subscription, its target
    loaded), every follow of a reader (the Reader), or None."""
    subscription = (
        Subscription.objects.filter(token=token).select_related("debate", "actor").first()
    )
    return subscription or Reader.objects.filter(token=token).first()


def unsubscribe(token):
    """Stop one follow (its token) or every follow of a reader (the reader's
    token); an address left with no follow is deleted. Safe to repeat."""
    with transaction.atomic():
        subscription = Subscription.objects.filter(token=token).first()
        if subscription is not None:
            reader_id = subscription.reader_id
            subscription.delete()
            Reader.objects.filter(pk=reader_id, subscriptions=None).delete()
            return True
        return Reader.objects.filter(token=token).delete()[0] > 0


def forget_unconfirmed(now=None):
    """Delete follows never confirmed within UNCONFIRMED_KEPT, and the
    addresses left with no follow; returns how many follows went."""
    now = now or timezone.now()
    with transaction.atomic():
        gone = (
            Subscription.objects.filter(confirmed_at=None, created_at__lt=now - UNCONFIRMED_KEPT)
            .delete()[1]
            .get(Subscription._meta.label, 0)
        )
        Reader.objects.filter(subscriptions=None, created_at__lt=now - UNCONFIRMED_KEPT).delete()
    return gone


def pending_confirmations(now=None):
    """Follows whose confirmation was never sent (the broker was down when the
    reader subscribed): the periodic sweep sends them."""
    now = now or timezone.now()
    return list(
        Subscription.objects.filter(
            confirmed_at=None, confirmation_sent_at=None, created_at__gt=now - CONFIRMATION_PERIOD
        ).values_list("id", flat=True)
    )


def due_readers(now=None):
    """Readers not mailed for a day who follow something confirmed."""
    now = now or timezone.now()
    return list(
        Reader.objects.filter(
            Q(last_sent_at=None) | Q(last_sent_at__lte=now - ALERT_PERIOD),
            subscriptions__confirmed_at__isnull=False,
        )
        .distinct()
        .values_list("id", flat=True)
    )


def _news(subscriptions, now):
    """What each follow has had published since it was last covered; a
    position two follows share is told once, under the first."""
    news, told = {}, set()
    for subscription in subscriptions:
        found = Position.objects.public().published()
        if subscription.debate_id:
            found = found.filter(debate_id=subscription.debate_id)
        else:
            found = found.filter(actor_id=subscription.actor_id)
        found = found.filter(published_at__gt=subscription.covered_until, published_at__lte=now)
        found = found.select_related("actor", "debate", "proposal").order_by("published_at", "id")
        fresh = [p for p in found[:MAX_POSITIONS_PER_ALERT] if p.id not in told]
        told.update(p.id for p in fresh)
        if fresh:
            news[subscription] = [(p, shift_description(p)) for p in fresh]
    return news


def alert_text(news, reader):
    sections = [
        {
            "target": subscription.target,
            "url": target_url(subscription),
            "positions": [
                {
                    "position": position,
                    "shift": shift,
                    "words": describe_stance(
                        position.stance, position.debate.low_label, position.debate.high_label
                    ),
                    "url": site_url(reverse("public:debate", args=[position.debate.slug])),
                }
                for position, shift in told
            ],
            "unsubscribe_url": site_url(
                reverse("public:alerts-unsubscribe", args=[subscription.token])
            ),
        }
        for subscription, told in news.items()
    ]
    context = {
        "sections": sections,
        "unsubscribe_all_url": site_url(reverse("public:alerts-unsubscribe", args=[reader.token])),
    }
    return render_to_string("email/alert_body.txt", context).rstrip("\n")


def send_alert(reader_id, now=None):
    """Mail one reader what their follows have had published since their last
    message, if a day has passed since it; True when a message went out."""
    now = now or timezone.now()
    reader = Reader.objects.filter(pk=reader_id).first()
    if reader is None:
        return False
    last = reader.last_sent_at
    if last is not None and last > now - ALERT_PERIOD:
        return False
    subscriptions = list(
        reader.subscriptions.filter(confirmed_at__isnull=False)
        .select_related("debate", "actor")
        .order_by("id")
    )
    news = _news(subscriptions, now)
    if not news:
        return False
    # A conditional update claims the day's message: two workers never both send.
    if not Reader.objects.filter(pk=reader.pk, last_sent_at=last).update(last_sent_at=now):
        return False
    count = sum(map(len, news.values()))
    unsubscribe_all = site_url(reverse("public:alerts-unsubscribe", args=[reader.token]))
    message = EmailMessage(
        subject=render_to_string("email/alert_subject.txt", {"count": count, "news": news}).strip(),
        body=alert_text(news, reader),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reader.email],
        headers=_headers(unsubscribe_all),
    )
    try:
        message.send()
    except Exception:
        # The mail server is down: the next sweep tries again, nothing is skipped.
        Reader.objects.filter(pk=reader.pk, last_sent_at=now).update(last_sent_at=last)
        raise
    Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(covered_until=now)
    return True
