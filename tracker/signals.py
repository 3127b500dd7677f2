"""The public change stamp: when anything a reader can see last changed. Every
save, delete or many-to-many change to a model the public site shows moves it,
a draft's too (a save can take a row into or out of public view), and public
pages take their ETag, Last-Modified and cache keys from it
(tracker/public/freshness.py). Connected in TrackerConfig.ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import (
    Actor,
    ChangeStamp,
    CoverageItem,
    DataRelease,
    Debate,
    Evidence,
    Membership,
    Outlet,
    Position,
    Proposal,
)

PUBLIC = "public"
PUBLIC_MODELS = (
    Actor,
    Membership,
    Debate,
    Proposal,
    Position,
    Evidence,
    Outlet,
    CoverageItem,
    DataRelease,
)


def public_changed():
    ChangeStamp.objects.update_or_create(key=PUBLIC, defaults={"changed_at": timezone.now()})


def public_stamp():
    stamp = ChangeStamp.objects.filter(key=PUBLIC).values_list("changed_at", flat=True).first()
    return stamp or timezone.now().replace(year=2000, month=1, day=1, microsecond=0)


@receiver(post_save)
@receiver(post_delete)
def _on_change(sender, **kwargs):
    # Fixtures being loaded (raw) are not edits.
    if sender in PUBLIC_MODELS and not kwargs.get("raw"):
        public_changed()


@receiver(m2m_changed)
def _on_m2m_change(sender, **kwargs):
    if kwargs.get("model") in PUBLIC_MODELS and kwargs.get("action", "").startswith("post_"):
        public_changed()
