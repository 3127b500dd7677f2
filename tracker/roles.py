"""The editorial roles. Editors triage and draft; publishers also publish and retract."""

EDITOR = "Editor"
PUBLISHER = "Publisher"

_VIEW_ONLY = ["heartbeat", "datarelease"]
_EDITOR_WRITES = {
    "actor": ["add", "change", "view"],
    "membership": ["add", "change", "delete", "view"],
    "debate": ["add", "change", "view"],
    "proposal": ["add", "change", "view"],
    "position": ["add", "change", "view"],
    "evidence": ["add", "change", "delete", "view"],
    "outlet": ["add", "change", "view"],
    "feed": ["add", "change", "view"],
    "coverageitem": ["add", "change", "view"],
    "flag": ["change", "view"],
}
_PUBLISHER_EXTRA = {
    "position": ["publish", "delete"],
    "debate": ["delete"],
    "proposal": ["delete"],
    # Cutting a release, and recording its DOI once minted.
    "datarelease": ["add", "change"],
}


def _codenames(grants):
    return [f"{action}_{model}" for model, actions in grants.items() for action in actions]


def role_permissions():
    """{group name: [permission codenames in the tracker app]}."""
    editor = _codenames(_EDITOR_WRITES) + [f"view_{model}" for model in _VIEW_ONLY]
    publisher = editor + [
        "publish_position" if action == "publish" else f"{action}_{model}"
        for model, actions in _PUBLISHER_EXTRA.items()
        for action in actions
    ]
    return {EDITOR: editor, PUBLISHER: publisher}


def ensure_roles(group_model, permission_model):
    """Create the role groups with their permissions; safe to run again.

    Takes the models so that the migration can pass its historical ones."""
    tracker = permission_model.objects.filter(content_type__app_label="tracker")
    # A model that a later migration creates has no permissions yet; that
    # migration grants them (e.g. 0015_data_releases).
    created = set(tracker.values_list("content_type__model", flat=True))
    for name, codenames in role_permissions().items():
        group, _ = group_model.objects.get_or_create(name=name)
        permissions = tracker.filter(codename__in=codenames)
        missing = {
            codename
            for codename in set(codenames) - set(permissions.values_list("codename", flat=True))
            if codename.split("_", 1)[1] in created
        }
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.add(*permissions)
