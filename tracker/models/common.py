"""What several models declare alike: who did something to a record, when it
was made and last changed, the version its optimistic lock checks, and that a
choice field holds one of its choices."""

import datetime
import ipaddress
import json
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from ..addresses import address_refusal


def done_by():
    """The user who did something to a record (published, retracted, decided):
    kept on record, and empty once their account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )


def on_the_public_web(url):
    """An address readers can open: not this machine, a private network or a
    name without a domain (an intranet host), which would only work for the desk.
    An IP address is judged as the feed fetcher judges one (addresses.py), and
    the host is read as a browser reads it: "http://127.0.0.1\\@example.com/"
    opens the reader's own machine, where urlsplit reads example.com."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("Give a web address, starting http:// or https://.", code="not_web")
    if "@" in parts.netloc and "\\" not in url:
        raise ValidationError("Give the address without a login in it.", code="login")
    try:
        host = (parse_url(url).host or "").strip("[]").rstrip(".").lower()
    except LocationParseError:
        host = ""
    try:
        ipaddress.ip_address(host)
    except ValueError:  # a name, not an address
        local = host == "localhost" or host.endswith(".localhost") or "." not in host
    else:
        local = address_refusal(host) is not None
    if local:
        raise ValidationError(
            "Give an address readers can open on the web, not a local or private one.",
            code="not_public",
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


# Characters a name may hold unseen, which would make two names of one "NATO":
# control characters, zero-width spaces and joiners that join nothing, the byte
# order mark, soft hyphens and the marks that turn text's direction. The
# zero-width (non-)joiners are kept: Persian and Indic names spell with them.
UNSEEN = dict.fromkeys(
    [*range(0x00, 0x20), *range(0x7F, 0xA0), 0xAD, 0x200B, 0x2060, 0xFEFF,
     *range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)  # fmt: skip
# (Whitespace among the control characters is split on first, so it stays a space.)


def one_line(text):
    """A name as one line, single-spaced and as its letters read: "Kaja  Kallas"
    is "Kaja Kallas", NATO typed in full-width letters is "NATO" (NFKC), and characters
    nobody sees are left out (UNSEEN)."""
    words = unicodedata.normalize("NFKC", str(text)).split()
    return " ".join(word.translate(UNSEEN) for word in words if word.translate(UNSEEN))


# Opening mark -> the closing marks that may pair with it.
QUOTE_MARKS = {
    "\u201c": "\u201d",  # “ ”
    "\u201e": "\u201c\u201d",  # „ “ or ”
    '"': '"',
    "\u00ab": "\u00bb",  # « »
    "\u00bb": "\u00ab",  # » «
    "\u2018": "\u2019",  # single, curly
    "'": "'",
}


def public_address(url):
    """`url` where readers can open it (on_the_public_web), else "": what the
    pages link and the open data publishes of a source's address, so an intranet
    feed's host stays on the desk's network."""
    try:
        on_the_public_web(url)
    except ValidationError:
        return ""
    return url


def bare_quote(text):
    """A quote without the quotation marks pasted around it: pages add their
    own. Marks inside the words ("He said “never”") stay."""
    text = text.strip()
    if len(text) > 1 and text[-1] in QUOTE_MARKS.get(text[0], ""):
        inner = text[1:-1]
        if not any(mark in inner for mark in (text[0], text[-1])):
            return inner.strip()
    return text


EARLIEST_DAY = datetime.date(1900, 1, 1)


def not_before_1900(day):
    """A day something was said, written or held: a year before 1900 is a
    typing slip (0001 for 2001), and would stretch every chart back to it."""
    if isinstance(day, datetime.datetime):  # a moment: its day
        day = day.date()
    if day < EARLIEST_DAY:
        raise ValidationError(
            f"{dateformat.format(day, 'j F Y')} is before 1900: check the year.",
            code="before_1900",
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


class Versioned(models.Model):
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


@models.ForeignKey.register_lookup
@models.BigAutoField.register_lookup
class Among(models.Lookup):
    """`id__among=[...]`, `position_id__among=[...]`: `__in` for a long list of
    ids, sent as one parameter (an array on PostgreSQL, JSON on SQLite). A page
    that reads the evidence of 400 positions by id spends more on 400
    placeholders — each prepared by Django and split out by the driver — than
    on the query itself (docs/performance.md, "Public pages")."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        # The column is the compiler's own; the ids travel as a parameter.
        column, params = self.process_lhs(compiler, connection)
        ids = [int(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, ids]
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*params, json.dumps(ids)]
