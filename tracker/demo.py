"""Loads the demo data in fixtures/demo/ and the demo users.

The demo is a starting point that editors then work on, so loading it again
only adds what is missing and never changes, reverts or trips over their work:

- Outlets, actors and coverage items are found by their natural key (name,
  slug, canonical URL) and created only when absent; an existing one is left
  as it is, aliases and descriptions included.
- A membership is loaded only when its member has none in that organisation,
  so an editor's correction of its role or dates does not bring the old one
  back.
- A debate that exists is loaded: its proposals, positions and evidence
  belong to the desk from then on. Editors publish, retract, correct and add
  positions (several on the same day), and none of that is a reason to
  recreate or touch a demo position. A demo debate that is missing (a new
  demo file, or one an editor deleted) is created whole.

Nothing is ever updated, so loading twice creates nothing the second time.
"""

import json
import secrets
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from .models import (
    Actor,
    CoverageItem,
    DataRelease,
    Debate,
    Evidence,
    Membership,
    Outlet,
    Position,
    Proposal,
)
from .roles import EDITOR, PUBLISHER, ensure_roles

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_FEEDS_DIR = Path(settings.BASE_DIR) / "fixtures" / "feeds"
DEMO_USERS = [("editor", EDITOR), ("publisher", PUBLISHER)]


def _date(value):
    return date.fromisoformat(value) if value else None


def _create_missing(counts, model, key, fields):
    """The row with this natural key, created from `fields` only when absent."""
    existing = model.objects.filter(**key).first()
    _record(counts, model, created=existing is None)
    return existing or model.objects.create(**key, **fields)


def _record(counts, model, created):
    counts[f"{model.__name__}.{'created' if created else 'existing'}"] += 1


@transaction.atomic
def load_demo_file(path):
    """Load one demo file; return counts of created and existing rows per model."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = Counter()

    outlets = {}
    for row in data.get("outlets", []):
        fields = {"domain": row.get("domain", ""), "aliases": row.get("aliases", [])}
        outlet = _create_missing(counts, Outlet, {"name": row["name"]}, fields)
        outlets[outlet.name] = outlet

    actors = {}
    for row in data.get("actors", []):
        fields = {k: row.get(k, "") for k in ("kind", "name", "country", "wikidata_id")}
        fields.update(aliases=row.get("aliases", []), description=row.get("description", ""))
        actor = _create_missing(counts, Actor, {"slug": row["slug"]}, fields)
        actors[actor.slug] = actor

    for row in data.get("memberships", []):
        key = {"member": actors[row["member"]], "organization": actors[row["organization"]]}
        fields = {
            "role": row.get("role", ""),
            "start_date": _date(row.get("start_date")),
            "end_date": _date(row.get("end_date")),
        }
        _create_missing(counts, Membership, key, fields)

    items = {}
    for row in data.get("coverage", []):
        items[row["key"]] = _load_item(row, path.parent, outlets, counts)

    for row in data.get("debates", []):
        if Debate.objects.filter(slug=row["slug"]).exists():
            _record(counts, Debate, created=False)
        else:
            _create_debate(row, actors, items, outlets, counts)
    return counts


def _load_item(row, folder, outlets, counts):
    content = row.get("content", "")
    if "content_file" in row:
        # The article file starts with its headline and dateline; the body follows.
        lines = (folder / row["content_file"]).read_text(encoding="utf-8").splitlines()
        content = "\n".join(lines[2:]).strip()
    fields = {
        "url": row["url"],
        "title": row["title"],
        "summary": row.get("summary", ""),
        "content": content,
        "published_at": datetime.fromisoformat(row["published_at"]),
        "outlet": outlets.get(row.get("outlet")),
    }
    return _create_missing(counts, CoverageItem, {"canonical_url": row["url"]}, fields)


def _create_debate(row, actors, items, outlets, counts):
    fields = {
        k: row.get(k, "")
        for k in ("title", "question", "summary", "low_label", "high_label", "watch_query")
    }
    fields["status"] = row.get("status", Debate.Status.ACTIVE)
    debate = Debate.objects.create(slug=row["slug"], **fields)
    _record(counts, Debate, created=True)
    # Who the debate is about; set once, with the debate, like the rest of it.
    debate.subjects.set(actors[slug] for slug in row.get("subjects", []))

    proposals = {}
    for prow in row.get("proposals", []):
        proposals[prow["slug"]] = Proposal.objects.create(
            debate=debate,
            slug=prow["slug"],
            **{k: prow.get(k, "") for k in ("title", "rung", "description")},
        )
        _record(counts, Proposal, created=True)

    for prow in row.get("positions", []):
        status = prow.get("status", Position.Status.PUBLISHED)
        position = Position.objects.create(
            actor=actors[prow["actor"]],
            debate=debate,
            proposal=proposals.get(prow.get("proposal")),
            stated_on=_date(prow["stated_on"]),
            stance=prow.get("stance"),
            support=prow.get("support", ""),
            summary=prow["summary"],
            status=status,
            published_at=None if status == Position.Status.DRAFT else timezone.now(),
        )
        _record(counts, Position, created=True)
        for erow in prow.get("evidence", []):
            Evidence.objects.create(
                position=position,
                item=items.get(erow.get("item")),
                url=erow.get("url", ""),
                quote=erow.get("quote", ""),
                attribution=erow["attribution"],
                speaker=erow.get("speaker", ""),
                source_count=erow.get("source_count"),
                source_affiliation=erow.get("source_affiliation", ""),
                cited_outlet=outlets.get(erow.get("cited_outlet")),
                note=erow.get("note", ""),
            )
            _record(counts, Evidence, created=True)


def load_demo(folder=DEMO_DIR):
    counts = Counter()
    for path in sorted(Path(folder).glob("*.json")):
        counts.update(load_demo_file(path))
    return counts


def import_demo_feeds(folder=DEMO_FEEDS_DIR):
    """Run the sample feeds through the coverage pipeline (idempotent by URL)."""
    from .ingest.files import import_files

    totals, _ = import_files(sorted(Path(folder).glob("*.xml")))
    return totals


def ensure_demo_users(logins_file=None):
    """Create or repair the demo editor and publisher.

    Passwords are generated once and kept in the data directory (readable by
    the owner only), so the same logins survive a re-seed.
    """
    ensure_roles(Group, Permission)  # a flushed database has lost them
    logins_file = Path(logins_file or settings.DEMO_LOGINS_FILE)
    saved = json.loads(logins_file.read_text()) if logins_file.exists() else {}
    User = get_user_model()
    logins = {}
    for username, role in DEMO_USERS:
        password = saved.get(username, {}).get("password") or secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = True
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        logins[username] = {"password": password, "role": role}
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.touch(mode=0o600, exist_ok=True)
    logins_file.write_text(json.dumps(logins, indent=2) + "\n")
    return logins


DEMO_RELEASE_NOTE = "The demo data as loaded."


def ensure_demo_release():
    """Cut data release 1 from the demo data, so the releases page, its files and
    its API have something to show; a database with any release keeps its own."""
    from .releases import cut_release

    if DataRelease.objects.exists():
        return None
    publisher = get_user_model().objects.filter(username="publisher").first()
    return cut_release(publisher, DEMO_RELEASE_NOTE)
