"""The reader-alert pages: the follow form's answer, confirmation and
unsubscribing. None of them ever shows an address, and the form's answer is the
same whether the address was new, waiting for confirmation or already confirmed."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from config.proxies import client_address

from .. import alerts
from ..models import Actor, Debate, Subscription
from ..tasks import enqueue_safely, send_confirmation
from .freshness import read_only


def target_field(refusal):
    """A slug as the debate and actor pages put it in the form; anything else
    names nothing on the site, and is refused in those words."""
    return forms.SlugField(
        required=False, max_length=200, error_messages={"invalid": refusal, "max_length": refusal}
    )


NAMED_NOTHING = {
    "debate": "There is no published debate by that name.",
    "actor": "There is no actor by that name.",
}


class FollowForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,  # RFC 5321's longest deliverable address
        error_messages={
            "invalid": "Enter an email address, like name@example.org.",
            "max_length": "An email address is at most 254 characters long.",
            "required": "Enter the email address the alerts should go to.",
        },
    )
    debate = target_field(NAMED_NOTHING["debate"])
    actor = target_field(NAMED_NOTHING["actor"])

    def clean_email(self):
        # Django's check takes what a mail server on a private network might:
        # an address at localhost, at an IP address, or at a name without a
        # domain, and a local part past RFC 5321's 64 characters.
        email = self.cleaned_data["email"]
        local, _, domain = email.rpartition("@")
        if len(local) > 64 or domain.startswith("[") or "." not in domain.strip("."):
            raise forms.ValidationError(self.fields["email"].error_messages["invalid"])
        return email

    def clean(self):
        data = super().clean()
        if "debate" in self.errors or "actor" in self.errors:
            return data
        debate, actor = data.get("debate"), data.get("actor")
        if bool(debate) == bool(actor):
            raise forms.ValidationError("Follow one debate or one actor.")
        data["debate"], data["actor"] = public_target(data)
        if debate and data["debate"] is None:
            raise forms.ValidationError(NAMED_NOTHING["debate"])
        if actor and data["actor"] is None:
            raise forms.ValidationError(NAMED_NOTHING["actor"])
        return data


def public_target(names):
    """(debate, actor) that `names` ({"debate": slug} or {"actor": slug}, as the
    form and the answer's address carry them) name on the public site; None for
    what they do not name."""
    debate, actor = (str(names.get(kind) or "")[:200] for kind in ("debate", "actor"))
    return (
        Debate.objects.public().filter(slug=debate).first() if debate else None,
        Actor.objects.public().filter(slug=actor).first() if actor and not debate else None,
    )


_COUNTED_HERE = LocMemCache("alert-signups", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class SignupThrottle(SimpleRateThrottle):
    """Sign-ups per client address, counted in the cache like the API's rate
    limit and keyed by the same client-address rule (config/proxies.py)."""

    scope = "alert-signup"

    @property
    def cache(self):
        # While the shared cache is unreachable its reads miss and its writes
        # are dropped, which would lift the limit and let anyone have the site
        # mail any number of addresses: each process counts on its own instead.
        outage = getattr(default_cache, "outage", None)
        down = outage is not None and outage.down_since is not None
        return _COUNTED_HERE if down else default_cache

    def get_rate(self):
        return settings.TRACKER_ALERT_SIGNUP_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class SeeOther(HttpResponseRedirect):
    """The answer to a form that did something: the browser fetches the page it
    names, so a reload or the back button reads that page and sends nothing."""

    status_code = 303


# The follow form sits on cached public pages, shared by every reader, so it
# carries no CSRF token. A forged sign-up can do no more than the form itself:
# ask an address to confirm, once a day per follow, within the rate limit.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request):
    """GET (the address opened by hand, or the form's answer reloaded) shows the
    form for the debate or actor it names; POST signs up."""
    if request.method != "POST":
        debate, actor = public_target(request.GET)
        target = debate or actor
        if target is None:  # nothing to follow here: the pages that offer it
            named = [error for kind, error in NAMED_NOTHING.items() if request.GET.get(kind)]
            context = {"target_errors": named[:1]}
            return render(
                request, "public/alerts/follow.html", context, status=404 if named else 200
            )
        kind = "debate" if debate else "actor"  # the one it names, if it names two
        context = {"form": FollowForm(initial={kind: target.slug})}
        return render(request, "public/alerts/follow.html", _naming(target, context))
    form = FollowForm(request.POST)
    if not form.is_valid():
        target_errors = [
            *form.non_field_errors(),
            *form.errors.get("debate", []),
            *form.errors.get("actor", []),
        ]
        # A valid debate or actor beside a bad address: keep naming it.
        context = {"form": form, "target_errors": target_errors}
        for kind in ("debate", "actor"):
            target = form.cleaned_data.get(kind)
            if isinstance(target, Debate | Actor):  # not a slug clean() left unresolved
                context = _naming(target, context)
        return render(request, "public/alerts/follow.html", context, status=400)
    data = form.cleaned_data
    target = data["debate"] or data["actor"]
    # Counted once the form is right: a reader correcting a typing slip sends
    # nothing, and must not use up the sign-ups of everyone behind the same address.
    throttle = SignupThrottle()
    if not throttle.allow_request(request, None):
        response = render(request, "public/alerts/limited.html", _naming(target), status=429)
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    subscription = alerts.subscribe(data["email"], debate=data["debate"], actor=data["actor"])
    if subscription is not None:
        # If the broker is down, the sweep (tasks.send_alerts) sends it later.
        enqueue_safely(send_confirmation, subscription.id)
    kind = "debate" if isinstance(target, Debate) else "actor"
    return SeeOther(f"{reverse('public:alerts-check-inbox')}?{urlencode({kind: target.slug})}")


@never_cache
@read_only
def check_inbox(request):
    """The answer to a sign-up, the same whoever opens it: it names the debate
    or actor in its address and nothing of the reader."""
    debate, actor = public_target(request.GET)
    target = debate or actor
    return render(request, "public/alerts/check_inbox.html", _naming(target) if target else {})


def _naming(target, context=None):
    """A page's context naming the debate or actor being followed and its page."""
    return {**(context or {}), "target": target, "target_url": _page_of(target)}


def _naming_if_on_site(subscription):
    """_naming() for what a follow follows; a debate taken off the site since is
    named without a page to go back to."""
    target = subscription.target
    if type(target).objects.public().filter(pk=target.pk).exists():
        return _naming(target)
    return {"target": target}


def _page_of(target):
    """The public page of the debate or actor being followed."""
    kind = "debate" if isinstance(target, Debate) else "actor"
    return reverse(f"public:{kind}", args=[target.slug])


# The token in the link is the reader's credential. Opening the link shows a
# button; only the POST acts, so mail scanners that open links change nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    subscription = (
        Subscription.objects.select_related("debate", "actor").filter(token=token[:64]).first()
    )
    if subscription is None:  # copied in part, or forgotten unconfirmed: the page says so
        return render(request, "public/alerts/confirm.html", status=404)
    if request.method == "POST":
        alerts.confirm(subscription.token)
        return render(request, "public/alerts/confirmed.html", _naming_if_on_site(subscription))
    return render(request, "public/alerts/confirm.html", {"subscription": subscription})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows a button; POST (the button, or a mail client's one-click
    'List-Unsubscribe=One-Click', RFC 8058) unsubscribes, and says so even when
    it was done before, so repeating it is harmless."""
    stops = alerts.stopped_by(token[:64])
    if request.method == "POST":
        alerts.unsubscribe(token[:64])
        one_follow = isinstance(stops, Subscription)  # back to its page; every follow: nowhere
        context = _naming_if_on_site(stops) if one_follow else {}
        return render(request, "public/alerts/unsubscribed.html", context)
    context = {"one_follow": isinstance(stops, Subscription), "stops": stops}
    return render(request, "public/alerts/unsubscribe.html", context)
