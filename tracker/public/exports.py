"""Open data: CSV and JSON of published positions with their evidence, and a
Popolo export of actors and memberships."""

import csv
import io
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from ..models import Actor, Debate, Membership, Position
from .data import attach_evidence
from .links import site_url

CSV_COLUMNS = [
    "debate", "position_id", "actor", "actor_kind", "actor_country", "proposal", "proposal_rung",
    "stance", "stance_label", "support", "stated_on", "status", "retraction_reason", "summary",
    "attribution", "attribution_chain", "quote", "source_count", "source_affiliation",
    "cited_outlet", "outlet", "source_url", "source_title",
]  # fmt: skip


def _positions(debates):
    positions = list(
        Position.objects.public()
        .filter(debate__in=debates)
        .select_related("actor", "debate", "proposal")
        .order_by("debate__slug", "actor__slug", "stated_on", "id")
    )
    return attach_evidence(positions)


def _evidence_dict(evidence):
    return {
        "attribution": evidence.attribution,
        "attribution_chain": evidence.attribution_chain,
        "on_record": evidence.is_on_record,
        "quote": evidence.quote,
        "speaker": evidence.speaker,
        "source_count": evidence.source_count,
        "source_affiliation": evidence.source_affiliation,
        "cited_outlet": evidence.cited_outlet.name if evidence.cited_outlet else None,
        "outlet": evidence.item.outlet.name if evidence.item and evidence.item.outlet else None,
        "url": evidence.item.url if evidence.item else evidence.url,
        "title": evidence.item.title if evidence.item else None,
        "published_at": evidence.item.published_at.isoformat()
        if evidence.item and evidence.item.published_at
        else None,
    }


def position_dict(position):
    return {
        "id": position.id,
        "debate": position.debate.slug,
        "actor": {
            "slug": position.actor.slug,
            "name": position.actor.name,
            "kind": position.actor.kind,
        },
        "proposal": {
            "slug": position.proposal.slug,
            "title": position.proposal.title,
            "rung": position.proposal.rung,
        }
        if position.proposal
        else None,
        "stance": position.stance,
        "stance_label": position.stance_label if position.stance is not None else None,
        "support": position.support or None,
        "summary": position.summary,
        "stated_on": position.stated_on.isoformat(),
        "status": position.status,
        "published_at": position.published_at.isoformat() if position.published_at else None,
        "retraction_reason": position.retraction_reason or None,
        "evidence": [_evidence_dict(e) for e in position.public_evidence],
    }


def _debate_dict(debate):
    return {
        "slug": debate.slug,
        "title": debate.title,
        "question": debate.question,
        "low_label": debate.low_label,
        "high_label": debate.high_label,
        "status": debate.status,
        "url": reverse("public:debate", args=[debate.slug]),
        "proposals": [
            {"slug": p.slug, "title": p.title, "rung": p.rung} for p in debate.proposals.all()
        ],
    }


EVIDENCE_CSV_KEYS = (
    "attribution", "attribution_chain", "quote", "source_count", "source_affiliation",
    "cited_outlet", "outlet", "url", "title",
)  # fmt: skip


def _csv_response(positions, filename):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for position in positions:
        base = [
            position.debate.slug, position.id, position.actor.name, position.actor.kind,
            position.actor.country, position.proposal.title if position.proposal else "",
            position.proposal.rung if position.proposal else "", position.stance,
            position.stance_label if position.stance is not None else "", position.support,
            position.stated_on.isoformat(), position.status, position.retraction_reason,
            position.summary,
        ]  # fmt: skip
        for evidence in position.public_evidence or [None]:
            extra = _evidence_dict(evidence) if evidence else {}
            row = base + [extra.get(key) for key in EVIDENCE_CSV_KEYS]
            writer.writerow([_csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
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
        return _csv_response(positions, f"{debate.slug}-positions.csv")
    body = {"debate": _debate_dict(debate), "positions": [position_dict(p) for p in positions]}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


def dataset_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("exports are CSV or JSON")
    debates = list(Debate.objects.public().prefetch_related("proposals").order_by("slug"))
    positions = _positions(debates)
    if fmt == "csv":
        return _csv_response(positions, "positions.csv")
    body = {
        "debates": [_debate_dict(d) for d in debates],
        "positions": [position_dict(p) for p in positions],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


POPOLO_ORGANIZATION_CLASSIFICATION = {
    Actor.Kind.COUNTRY: "country",
    Actor.Kind.ORGANIZATION: "organization",
    Actor.Kind.BLOC: "bloc",
    Actor.Kind.UNNAMED_GROUP: "unnamed group",
}


def popolo(request):
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
    body = {"persons": persons, "organizations": organizations, "memberships": memberships}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json"
    )
