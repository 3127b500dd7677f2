"""The daily digest: each editor gets the new flags of the debates they follow."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
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


def digest_text(user, flags_by_debate, base_url):
    lines = [f"New coverage flagged for review, {timezone.localdate():%-d %B %Y}:", ""]
    for debate, flags in flags_by_debate.items():
        queue = (
            f"{base_url}{reverse('admin:tracker_flag_changelist')}"
            f"?debate__id__exact={debate.id}&status__exact=new"
        )
        lines.append(f"{debate.title} — {len(flags)} new")
        for flag in flags[:MAX_FLAGS_PER_DEBATE]:
            outlet = f" ({flag.item.outlet})" if flag.item.outlet else ""
            lines.append(f"  • {flag.item.title}{outlet} — score {flag.score:g}")
        if len(flags) > MAX_FLAGS_PER_DEBATE:
            lines.append(f"  … and {len(flags) - MAX_FLAGS_PER_DEBATE} more")
        lines += [f"  Review: {queue}", ""]
    lines.append("You follow these debates in the editorial panel; unfollow them there.")
    return "\n".join(lines)


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
            subject=f"[Policy Debate Tracker] {total} new flag{pluralize(total)} to review",
            message=digest_text(user, by_debate, base_url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        sent += 1
    return sent


def pluralize(count):
    return "" if count == 1 else "s"
