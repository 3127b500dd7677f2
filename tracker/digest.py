"""The daily digest: each editor gets the new flags of the debates they follow."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import DebateFollow, DigestState, Flag

MAX_FLAGS_PER_DEBATE = 20


def _claim_window(user, now):
    """Reserve (covered_until, now] for this user's digest with a conditional
    update, so two schedulers never send the same digest twice."""
    state, _ = DigestState.objects.get_or_create(
        user=user, defaults={"covered_until": now - settings.TRACKER_DIGEST_PERIOD}
    )
    start = state.covered_until
    moved = DigestState.objects.filter(pk=state.pk, covered_until=start).update(covered_until=now)
    return start if moved == 1 else None


def digest_text(flags_by_debate, base_url):
    queue = f"{base_url}{reverse('admin:tracker_flag_changelist')}"
    debates = [
        {
            "title": debate.title,
            "count": len(flags),
            "flags": flags[:MAX_FLAGS_PER_DEBATE],
            "more": max(0, len(flags) - MAX_FLAGS_PER_DEBATE),
            "queue": f"{queue}?debate__id__exact={debate.id}&status__exact=new",
        }
        for debate, flags in flags_by_debate.items()
    ]
    context = {"today": timezone.localdate(), "debates": debates}
    # The template file ends in a newline; the email ends with its last sentence.
    return render_to_string("email/digest_body.txt", context).rstrip("\n")


def digest_subject(total):
    return render_to_string("email/digest_subject.txt", {"total": total}).strip()


def send_digests(now=None, base_url=None):
    """Email every following editor their new flags; returns how many were sent."""
    now = now or timezone.now()
    base_url = (base_url or settings.TRACKER_SITE_URL).rstrip("/")
    follows = defaultdict(list)
    for follow in DebateFollow.objects.select_related("user", "debate"):
        if follow.user.is_active and follow.user.email:
            follows[follow.user].append(follow.debate)
    sent = 0
    for user in follows:
        start = _claim_window(user, now)
        if start is None:
            continue
        flags = (
            Flag.objects.filter(
                debate__in=follows[user],
                status=Flag.Status.NEW,
                created_at__gt=start,
                created_at__lte=now,
            )
            .select_related("item__outlet", "debate")
            .order_by("debate__title", "-score", "-created_at")
        )
        by_debate = defaultdict(list)
        for flag in flags:
            by_debate[flag.debate].append(flag)
        if not by_debate:
            continue
        total = sum(map(len, by_debate.values()))
        send_mail(
            subject=digest_subject(total),
            message=digest_text(by_debate, base_url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        sent += 1
    return sent
