"""Data releases for readers: the list, one release with its downloads,
changelog and citation, and the frozen files themselves."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from ..models import DataRelease
from .freshness import read_only
from .links import site_url

# name in the address: (field holding the bytes, content type)
FILES = {
    "positions.csv": ("positions_csv", "text/csv; charset=utf-8"),
    "codebook.csv": ("codebook_csv", "text/csv; charset=utf-8"),
    "positions.json": ("positions_json", "application/json"),
    "popolo.json": ("popolo_json", "application/json"),
}
CHANGE_HEADINGS = {
    "added": "Positions added",
    "shifted": "Shifts",
    "retracted": "Retracted",
    "corrected": "Corrected",
    "withdrawn": "No longer public (their debate was taken off the site)",
}


def release_path(number):
    return reverse("public:release", args=[number])


def file_path(number, name):
    return reverse("public:release-file", args=[number, name])


def identifier(release):
    """Stable, for a DOI's metadata and for citing before one is minted."""
    return f"pdt-release-{release.number}"


def citation(release):
    """How to cite the release: its DOI once minted, its stable address always."""
    line = (
        f"Policy Debate Tracker data, release {release.number} "
        f"({timezone.localdate(release.cut_at):%Y-%m-%d}), {site_url(release_path(release.number))}"
    )
    return f"{line}, doi:{release.doi}" if release.doi else line


def release_list(request):
    releases = DataRelease.objects.public().without_files().order_by("-number")
    return render(request, "public/release_list.html", {"releases": releases})


def release_detail(request, number):
    release = get_object_or_404(DataRelease.objects.public().without_files(), number=number)
    changes = [
        (kind, heading, release.changelog.get(kind, []))
        for kind, heading in CHANGE_HEADINGS.items()
    ]
    context = {
        "release": release,
        "citation": citation(release),
        "identifier": identifier(release),
        "files": [(name, file_path(number, name)) for name in FILES],
        "changes": changes,
        "changed": any(entries for _, _, entries in changes),
    }
    return render(request, "public/release_detail.html", context)


# A release's files never change once cut: their address names their bytes.
FROZEN_SECONDS = 365 * 24 * 60 * 60


@read_only
def release_file(request, number, name):
    """A frozen file: cached for good, revalidated by its own tag and cut time,
    not by the site's change stamp (which moves with every publication)."""
    if name not in FILES:
        raise Http404("a release holds positions.csv, codebook.csv, positions.json, popolo.json")
    field, content_type = FILES[name]
    release = get_object_or_404(DataRelease.objects.without_files().public(), number=number)
    etag = quote_etag(f"release-{number}-{name}")
    last_modified = http_date(release.cut_at.timestamp())
    response = get_conditional_response(
        request, etag=etag, last_modified=parse_http_date_safe(last_modified)
    )
    if response is None:
        content = DataRelease.objects.filter(pk=release.pk).values_list(field, flat=True).get()
        response = HttpResponse(content.encode(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="release-{number}-{name}"'
    response["ETag"], response["Last-Modified"] = etag, last_modified
    response["Cache-Control"] = f"public, max-age={FROZEN_SECONDS}, immutable"
    return response
