import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .actors import normalise_aliases
from .common import not_before_1900, one_line

MIN_POLL_SECONDS = 5 * 60
MAX_POLL_SECONDS = 24 * 60 * 60


class Outlet(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(
        max_length=253, blank=True, help_text="The outlet's web domain, e.g. “ft.com”."
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names coverage uses when citing it (“FT”), one per line.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=~Q(domain=""),
                name="outlet_domain_unique",
                violation_error_message="Another outlet has this domain.",
            ),
            models.CheckConstraint(condition=Q(domain=Lower("domain")), name="outlet_domain_lower"),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="outlet_name_not_blank",
                violation_error_message="Give the outlet a name.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = one_line(self.name)
        self.domain = self.domain.strip().lower().removeprefix("www.")
        self.aliases = normalise_aliases(self.aliases, self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.name = one_line(self.name)
        if isinstance(self.aliases, list):
            self.aliases = normalise_aliases(self.aliases, self.name)
        self._refuse_a_name_of_another()

    def _refuse_a_name_of_another(self):
        """A name or alias names one outlet: the accept screen reads "citing
        the FT" by them, and two outlets called alike split the desk's
        attribution between them."""
        others = Outlet.objects.exclude(pk=self.pk).only("name", "aliases")
        same = others.filter(name__iexact=self.name).first()
        if same is not None:
            raise ValidationError({"name": f"There is already an outlet named {same.name}."})
        named = {name.casefold(): other for other in others for name in other.names}
        aliases = self.aliases if isinstance(self.aliases, list) else []
        for field, names in (("name", [self.name]), ("aliases", aliases)):
            for name in names:
                other = named.get(name.casefold())
                if other is not None:
                    raise ValidationError(
                        {
                            field: f"“{name}” already names {other.name}: a name or alias "
                            "names one outlet."
                        }
                    )

    @property
    def names(self):
        return [self.name, *self.aliases]


class Feed(models.Model):
    """An RSS, Atom or JSON feed we poll, with what we need to poll it politely."""

    outlet = models.ForeignKey(
        Outlet, on_delete=models.SET_NULL, null=True, blank=True, related_name="feeds"
    )
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    poll_interval = models.PositiveIntegerField(
        default=30 * 60, help_text="Seconds between polls (300 – 86,400); adapts to the feed."
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last fetch."
    )
    error_count = models.PositiveIntegerField(
        default=0, help_text="Consecutive failed fetches; reset by a success."
    )
    last_error = models.TextField(blank=True)
    last_warnings = models.JSONField(
        default=list, blank=True, help_text="What the last parse had to repair or skip."
    )
    disabled_reason = models.TextField(blank=True)
    fetch_token = models.CharField(
        max_length=36, blank=True, editable=False, help_text="Which queued fetch owns the feed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["url"]
        indexes = [models.Index(fields=["is_active", "next_fetch_at"], name="feed_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(poll_interval__gte=MIN_POLL_SECONDS)
                & Q(poll_interval__lte=MAX_POLL_SECONDS),
                name="feed_poll_interval_bounded",
                violation_error_message=(
                    f"Poll every {MIN_POLL_SECONDS} to {MAX_POLL_SECONDS:,} seconds "
                    "(5 minutes to a day)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="feed_url_is_http",
            ),
        ]

    def __str__(self):
        return self.title or self.url


class CoverageItem(models.Model):
    """One article, from a feed or entered by hand, stored once by canonical URL."""

    canonical_url = models.URLField(max_length=2000, unique=True)
    url = models.URLField(max_length=2000)
    guid = models.CharField(max_length=1000, blank=True)
    title = models.CharField(max_length=1000)
    summary = models.TextField(blank=True)
    content = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, validators=[not_before_1900])
    fetched_at = models.DateTimeField(default=timezone.now)
    outlet = models.ForeignKey(
        Outlet, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    content_hash = models.CharField(max_length=64, blank=True)
    title_key = models.CharField(
        max_length=64, blank=True, help_text="Hash of the normalised title, for exact dedupe."
    )
    signature = models.BinaryField(
        blank=True, default=b"", help_text="MinHash of the text, for near-duplicate detection."
    )
    embedding = models.BinaryField(
        blank=True,
        default=b"",
        editable=False,
        help_text="The text's meaning as a unit vector (float16), computed once; empty until then.",
    )
    cited_outlet = models.ForeignKey(
        Outlet,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cited_by_items",
        help_text="The outlet this item cites (“citing the Financial Times”).",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="syndicated_copies",
        help_text="The original story, when this is a syndicated copy.",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="item_recent"),
            models.Index(fields=["outlet", "-published_at"], name="item_outlet_recent"),
            models.Index(fields=["title_key"], name="item_title_key"),
            models.Index(fields=["-fetched_at"], name="item_fetched"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("id")),
                name="item_not_duplicate_of_itself",
            ),
            models.UniqueConstraint(
                fields=["feed", "guid"],
                condition=~Q(guid="") & Q(feed__isnull=False),
                name="item_guid_unique_per_feed",
            ),
            models.CheckConstraint(
                condition=Q(canonical_url__startswith="http://")
                | Q(canonical_url__startswith="https://"),
                name="item_canonical_url_is_http",
            ),
        ]

    def __str__(self):
        return self.title

    # A feed's clock may run a little fast; a day ahead is a typing slip.
    FUTURE_TOLERANCE = datetime.timedelta(days=1)

    def clean(self):
        if self.published_at and self.published_at > timezone.now() + self.FUTURE_TOLERANCE:
            raise ValidationError(
                {"published_at": "This is after today: give the day the article was published."}
            )

    @property
    def original(self):
        return self.duplicate_of or self

    def cluster_outlet_count(self):
        """How many outlets ran this story: the original and its syndicated copies."""
        root = self.duplicate_of_id or self.id
        cluster = CoverageItem.objects.filter(Q(id=root) | Q(duplicate_of_id=root))
        return cluster.exclude(outlet=None).values("outlet").distinct().count()
