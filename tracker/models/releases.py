"""Numbered data releases: the public data frozen as files at the moment a
publisher cut it, so that a study can cite exactly what it used."""

from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from .common import done_by


class ReleaseIsFrozen(PermissionDenied):
    """A cut release is never changed or deleted; only its DOI may be recorded, once."""


class DataReleaseQuerySet(models.QuerySet):
    def public(self):
        """Every cut release is public: it holds public data only, by construction."""
        return self.all()

    def without_files(self):
        """The release's record without the frozen files, for lists."""
        return self.defer(*DataRelease.FILE_FIELDS)

    # Bulk writes would skip the model's own refusal.
    def update(self, **kwargs):
        raise ReleaseIsFrozen("Data releases are not changed once cut.")

    def delete(self):
        raise ReleaseIsFrozen("Data releases are not deleted once cut.")


class DataRelease(models.Model):
    number = models.PositiveIntegerField(unique=True)
    cut_at = models.DateTimeField()
    cut_by = done_by()
    note = models.TextField(blank=True, help_text="What this release is for, shown to readers.")
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        help_text="Recorded once it is minted, e.g. 10.5281/zenodo.1234567; it cannot be changed.",
        validators=[
            # Printable ASCII after the prefix: a character nobody sees would be
            # in every citation, and the DOI cannot be changed once recorded.
            RegexValidator(
                r"^10\.\d{4,9}/[\x21-\x7e]+$", "A DOI looks like 10.5281/zenodo.1234567."
            )
        ],
    )
    # The files, as readers download them (text: UTF-8 on the way out).
    positions_csv = models.TextField()
    codebook_csv = models.TextField()
    positions_json = models.TextField()
    popolo_json = models.TextField()
    # What changed since the release before: {"added": [...], "shifted": [...], ...}.
    changelog = models.JSONField()
    debate_count = models.PositiveIntegerField()
    position_count = models.PositiveIntegerField()
    actor_count = models.PositiveIntegerField()

    FILE_FIELDS = ("positions_csv", "codebook_csv", "positions_json", "popolo_json")

    objects = DataReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="release_number_from_one"
            )
        ]

    def __str__(self):
        return f"Release {self.number} ({timezone.localdate(self.cut_at):%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ReleaseIsFrozen("Data releases are not changed once cut.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseIsFrozen("Data releases are not deleted once cut.")

    @classmethod
    def from_db(cls, db, field_names, values):
        release = super().from_db(db, field_names, values)
        release._stored_doi = release.__dict__.get("doi")
        return release

    @property
    def doi_recorded(self):
        """Whether the stored release has a DOI (a form may have set one unsaved)."""
        stored = getattr(self, "_stored_doi", None)
        return bool(self.doi if stored is None else stored)

    def record_doi(self, doi):
        """The one change a release takes: its DOI, once minted. A conditional
        update, so that of two publishers recording at once only one succeeds."""
        doi = doi.strip()
        unrecorded = DataRelease.objects.filter(pk=self.pk, doi="")
        if not doi or models.QuerySet.update(unrecorded, doi=doi) != 1:
            raise ReleaseIsFrozen("This release's DOI is recorded already.")
        self.doi = self._stored_doi = doi
