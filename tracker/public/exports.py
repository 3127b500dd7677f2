"""Open data: CSV and JSON of published positions with their evidence, and a
Popolo export of actors and memberships."""

import csv
import io
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from ..api.serializers import DebateSerializer, EvidenceSerializer, PositionSerializer
from ..models import Actor, Debate, Membership, Position
from .links import site_url

POSITION_COLUMNS = [name for name in PositionSerializer.Meta.fields if name != "evidence"]
# Each evidence item is a row of its own, beside its position's columns.
EVIDENCE_COLUMNS = [name for name in EvidenceSerializer.Meta.fields if name != "position"]
CSV_COLUMNS = POSITION_COLUMNS + [f"evidence_{name}" for name in EVIDENCE_COLUMNS]


def _positions(debates):
    positions = Position.objects.public().filter(debate__in=debates)
    ordered = positions.order_by("debate__slug", "actor__slug", "stated_on", "id")
    return PositionSerializer(PositionSerializer.fetch(ordered), many=True).data


def _csv_rows(position):
    """The serialised position flattened: one row per evidence item (one row
    without evidence when there is none)."""
    base = [position[name] for name in POSITION_COLUMNS]
    for evidence in position["evidence"] or [None]:
        yield base + [evidence[name] if evidence else None for name in EVIDENCE_COLUMNS]


def csv_text(positions):
    """Serialised positions as the CSV's text, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for position in positions:
        for row in _csv_rows(position):
            writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue()


# Excel reads a CSV as the system's legacy code page unless the file starts
# with a byte-order mark; scripts read the mark as part of the first header.
# So it is asked for (?excel=1), and the plain file stays plain.
BYTE_ORDER_MARK = "\ufeff"


def _csv_response(request, positions, filename):
    text = csv_text(positions)
    if request.GET.get("excel") == "1":
        text = BYTE_ORDER_MARK + text
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    """Every cell of every CSV passes here: text that a spreadsheet would read as
    a formula is quoted with a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


FORMATS = ("csv", "json")


def debate_export(request, slug, fmt):
    if fmt not in FORMATS:
        raise Http404("exports are CSV or JSON")
    debate = get_object_or_404(Debate.objects.public(), slug=slug)
    positions = _positions([debate])
    if fmt == "csv":
        return _csv_response(request, positions, f"{debate.slug}-positions.csv")
    body = {"debate": DebateSerializer(debate).data, "positions": positions}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


def dataset():
    """Every public debate and its positions, serialised: the body of the JSON
    download, whose positions the CSV flattens; data releases freeze both."""
    debates = list(Debate.objects.public().prefetch_related("proposals").order_by("slug"))
    return {"debates": DebateSerializer(debates, many=True).data, "positions": _positions(debates)}


def dataset_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("exports are CSV or JSON")
    body = dataset()
    if fmt == "csv":
        return _csv_response(request, body["positions"], "positions.csv")
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


POPOLO_ORGANIZATION_CLASSIFICATION = {
    Actor.Kind.COUNTRY: "country",
    Actor.Kind.ORGANIZATION: "organization",
    Actor.Kind.BLOC: "bloc",
    Actor.Kind.UNNAMED_GROUP: "unnamed group",
}


def popolo(request):
    return HttpResponse(
        json.dumps(popolo_body(), ensure_ascii=False, indent=1), content_type="application/json"
    )


def popolo_body():
    """Popolo persons (officials), organizations (everyone else) and memberships."""
    actors = list(Actor.objects.public().order_by("slug"))
    persons, organizations = [], []
    for actor in actors:
        entry = {
            "id": actor.slug,
            "name": actor.name,
            "other_names": [{"name": alias} for alias in actor.aliases],
            "identifiers": [{"scheme": "wikidata", "identifier": actor.wikidata_id}]
            if actor.wikidata_id
            else [],
            "links": [
                {
                    "url": site_url(reverse("public:actor", args=[actor.slug])),
                    "note": "Policy Debate Tracker",
                }
            ],
        }
        if actor.kind == Actor.Kind.OFFICIAL:
            persons.append(entry)
        else:
            entry["classification"] = POPOLO_ORGANIZATION_CLASSIFICATION[actor.kind]
            organizations.append(entry)
    memberships = []
    for membership in Membership.objects.select_related("member", "organization").order_by("id"):
        row = {
            "id": f"membership-{membership.id}",
            "organization_id": membership.organization.slug,
            "role": membership.role or None,
            "start_date": membership.start_date.isoformat() if membership.start_date else None,
            "end_date": membership.end_date.isoformat() if membership.end_date else None,
        }
        key = "person_id" if membership.member.kind == Actor.Kind.OFFICIAL else "member"
        if key == "person_id":
            row["person_id"] = membership.member.slug
        else:
            row["member"] = {"@type": "Organization", "id": membership.member.slug}
        memberships.append({k: v for k, v in row.items() if v is not None})
    return {"persons": persons, "organizations": organizations, "memberships": memberships}
