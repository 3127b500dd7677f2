"""Cutting a data release: the public data frozen as the files readers download,
with a changelog computed against the release before."""

import csv
import io
import itertools
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DataRelease
from .models.actors import ActorKind
from .models.positions import EvidenceAttribution, PositionSupport
from .models.stance import STANCE_MAX, STANCE_MIN
from .public import exports
from .public.links import site_url
from .public.releases import citation, release_path

CHANGE_KINDS = ("added", "shifted", "retracted", "corrected", "withdrawn")


def _values(choices):
    return ", ".join(choices.values)


# One line per column of positions.csv, in its order (a test holds the two together).
CODEBOOK = {
    "id": ("integer", "The position's number; stable across releases and in the API."),
    "actor": ("text", "The actor's slug, as in /actors/<slug>/ and the Popolo file's ids."),
    "actor_name": ("text", "The actor's name."),
    "actor_kind": ("text", f"One of: {_values(ActorKind)}."),
    "actor_country": ("text", "ISO 3166-1 alpha-2 code of the actor's country, if any."),
    "debate": ("text", "The debate's slug, as in /debates/<slug>/."),
    "proposal": (
        "text",
        "The proposal's slug when the position is on one option; empty "
        "for a stance on the debate as a whole.",
    ),
    "proposal_title": ("text", "The proposal's title."),
    "proposal_rung": ("integer", "The proposal's rung on the debate's ladder of options."),
    "stance": (
        "integer",
        f"Where the actor stands, from {STANCE_MIN} (the debate's low pole) "
        f"to +{STANCE_MAX} (its high pole); 0 is between them. ASCII digits.",
    ),
    "stance_label": ("text", "The stance in the debate's own words."),
    "support": ("text", f"On a proposal, one of: {_values(PositionSupport)}."),
    "summary": ("text", "One line saying what the actor holds."),
    "stated_on": ("date", "The day the actor took the position (YYYY-MM-DD)."),
    "status": ("text", "published, or retracted (kept on record with its reason)."),
    "published_at": ("datetime", "When the position was published (ISO 8601, UTC offset)."),
    "retraction_reason": ("text", "Why a retracted position was withdrawn."),
    "retracted_at": ("datetime", "When a retracted position was withdrawn."),
    "correction_note": ("text", "What a correction changed, as told to readers."),
    "corrected_at": ("datetime", "When the position was last corrected."),
    "evidence_id": (
        "integer",
        "The evidence item's number; one row per evidence item, the position's columns repeated.",
    ),
    "evidence_attribution": (
        "text",
        "Who stands behind the words, most direct first, one of: "
        f"{_values(EvidenceAttribution)} (see /methodology/).",
    ),
    "evidence_attribution_chain": (
        "text",
        'Who said it, in words ("the FT, citing four NATO officials").',
    ),
    "evidence_on_record": ("boolean", "True when the words are on the record."),
    "evidence_quote": (
        "text",
        "The quoted words. In this as in every text column, text that a spreadsheet "
        "would read as a formula (starting =, +, -, @) starts with an apostrophe.",
    ),
    "evidence_speaker": ("text", "Who spoke, when named."),
    "evidence_source_count": ("integer", "How many sources the report cites."),
    "evidence_source_affiliation": ("text", 'Who the sources are ("NATO officials").'),
    "evidence_cited_outlet": ("text", "The outlet the report cites, if it cites one."),
    "evidence_outlet": ("text", "The outlet that published the report."),
    "evidence_source_url": ("text", "The report's address."),
    "evidence_source_title": ("text", "The report's headline."),
    "evidence_source_published_at": ("datetime", "When the report was published."),
}


def codebook_csv():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["column", "type", "description"])
    for column in exports.CSV_COLUMNS:
        kind, description = CODEBOOK[column]
        writer.writerow([column, kind, description])
    return buffer.getvalue()


class ReleaseNotCut(Exception):
    """Why a release could not be cut, in words for the publisher."""


def cut_release(user, note=""):
    """Freeze the public data as the next numbered release."""
    try:
        with transaction.atomic():
            return _cut(user, note)
    except IntegrityError as error:
        # Two publishers cutting at once: the unique number lets one through.
        raise ReleaseNotCut("Another release was cut at the same moment; try again.") from error


def _cut(user, note):
    previous = DataRelease.objects.order_by("-number").first()
    number = (previous.number if previous else 0) + 1
    cut_at = timezone.now()
    data = exports.dataset()
    popolo = exports.popolo_body()
    if previous is not None and _same_data(previous, data, popolo):
        # A second click, or the back button: a release is never deleted, so
        # a second number for the same data would stay in every list of them.
        raise ReleaseNotCut(
            f"Nothing has changed since release {previous.number}: it already holds "
            "everything readers can see now. Cut one when positions or actors change."
        )
    release = DataRelease(number=number, cut_at=cut_at, cut_by=user, note=note.strip())
    header = {
        "number": number,
        "cut_at": cut_at.isoformat(),
        "url": site_url(release_path(number)),
        "citation": citation(release),
    }
    release.positions_json = _json({"release": header, **data})
    release.positions_csv = exports.csv_text(data["positions"])
    release.codebook_csv = codebook_csv()
    release.popolo_json = _json({"release": header, **popolo})
    old = json.loads(previous.positions_json) if previous else None
    log = changes(old and old["positions"], data["positions"])
    titles = {d["slug"]: d["title"] for d in (old["debates"] if old else []) + data["debates"]}
    for entry in (entry for entries in log.values() for entry in entries):
        entry["debate_title"] = titles.get(entry["debate"], entry["debate"])
    release.changelog = {"previous": previous.number if previous else None, **log}
    release.debate_count = len(data["debates"])
    release.position_count = len(data["positions"])
    release.actor_count = len(popolo["persons"]) + len(popolo["organizations"])
    release.save()
    return release


def _same_data(release, data, popolo):
    """Whether a release holds this data, its header (number, date) aside."""

    def body(text):
        return {key: value for key, value in json.loads(text).items() if key != "release"}

    return (body(release.positions_json), body(release.popolo_json)) == (
        json.loads(_json(data)),
        json.loads(_json(popolo)),
    )


def _json(body):
    return json.dumps(body, ensure_ascii=False, indent=1)


def changes(old, new):
    """What changed from one release's serialised positions to the next's:
    positions added (a first stance, or the same stance restated), shifted (a
    new stance unlike the actor's previous published one on the same debate or
    proposal), retracted, corrected, and withdrawn (no longer public: their
    debate was taken off the site). For a first release (old is None), nothing."""
    log = {kind: [] for kind in CHANGE_KINDS}
    if old is None:
        return log
    before = {position["id"]: position for position in old}
    after = {position["id"] for position in new}
    previous = _previous_published(new)
    for position in new:
        earlier = before.get(position["id"])
        if earlier is None:
            if position["status"] == "retracted":
                log["retracted"].append(_entry(position))
                continue
            prior = previous.get(position["id"])
            if prior is not None and prior["stance"] != position["stance"]:
                log["shifted"].append(_entry(position, previous_stance=prior["stance"]))
            else:
                log["added"].append(_entry(position))
        elif position["status"] == "retracted" and earlier["status"] != "retracted":
            log["retracted"].append(_entry(position))
        elif position["corrected_at"] != earlier["corrected_at"]:
            log["corrected"].append(_entry(position))
    log["withdrawn"] = [_entry(p) for p in old if p["id"] not in after]
    return log


def _previous_published(positions):
    """{position id: the same actor's published position just before it on the
    same debate or proposal}, in the order current stances are read."""
    chains = {}
    for p in positions:
        if p["status"] == "published":
            chains.setdefault((p["actor"], p["debate"], p["proposal"]), []).append(p)
    previous = {}
    for chain in chains.values():
        chain.sort(key=lambda p: (p["stated_on"], p["published_at"] or "", p["id"]))
        previous.update((later["id"], earlier) for earlier, later in itertools.pairwise(chain))
    return previous


ENTRY_FIELDS = (
    "id",
    "actor",
    "actor_name",
    "debate",
    "proposal",
    "proposal_title",
    "stance",
    "stance_label",
    "stated_on",
    "summary",
    "retraction_reason",
    "correction_note",
)


def _entry(position, **extra):
    return {**{name: position[name] for name in ENTRY_FIELDS}, **extra}
