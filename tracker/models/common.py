"""What several models declare alike: who did something to a record, when it
was made and last changed, the version its optimistic lock checks, and that a
choice field holds one of its choices."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone


def done_by():
    """The user who did something to a record (published, retracted, decided):
    kept on record, and empty once their account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )


def not_after_today(day):
    """A day something was said: nothing is said ahead of time (the desk's time
    zone, settings.TIME_ZONE, decides when today ends)."""
    today = timezone.localdate()
    if day > today:
        day_text, today_text = (dateformat.format(d, "j F Y") for d in (day, today))
        raise ValidationError(
            f"{day_text} is after today ({today_text}): give the day the actor took the position.",
            code="after_today",
        )


def one_of(field, choices, name, blank=False):
    """A check constraint: the field holds one of the choices (or "", when blank
    is allowed), also when a write skips the forms."""
    condition = Q(**{f"{field}__in": choices.values})
    if blank:
        condition = Q(**{field: ""}) | condition
    return models.CheckConstraint(condition=condition, name=name)


class Stamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Versioned(Stamped):
    """A record editors change through OptimisticLockForm (admin/forms.py), which
    refuses a save over a version it did not open."""

    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every save (optimistic locking)."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk:
            self.version += 1
        super().save(*args, **kwargs)
