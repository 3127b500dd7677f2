"""What some fields of a model instance hold in the database, to tell what
saving the instance would change.

Declared on a model as `stored = FieldTracker("status", "stance")` (attribute
names, so `actor_id` for a foreign key); `instance.stored.values()` is then a
dict of those fields as stored, and `instance.stored.changed()` the names
whose value in memory differs."""

from django.db.models import signals


class FieldTracker:
    def __init__(self, *fields):
        self.fields = fields

    def contribute_to_class(self, cls, name):
        self.key = f"_{name}_snapshot"
        # from_db builds the instance through __init__ (post_init) and then marks
        # it as not adding: the snapshot is what was loaded only once that is so.
        signals.post_init.connect(self._loaded, sender=cls, weak=False)
        signals.post_save.connect(self._saved, sender=cls, weak=False)
        setattr(cls, name, self)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return StoredFields(self, instance)

    def _snapshot(self, instance, fields):
        # Only what is in memory: reading a deferred field would query for it.
        return {name: instance.__dict__[name] for name in fields if name in instance.__dict__}

    def _loaded(self, sender, instance, **kwargs):
        instance.__dict__[self.key] = self._snapshot(instance, self.fields)

    def _saved(self, sender, instance, update_fields=None, **kwargs):
        if update_fields is None:
            instance.__dict__[self.key] = self._snapshot(instance, self.fields)
            return
        saved = {instance._meta.get_field(name).attname for name in update_fields}
        snapshot = instance.__dict__.setdefault(self.key, {})
        snapshot.update(self._snapshot(instance, [name for name in self.fields if name in saved]))

    def forget(self, instance):
        """Drop what was remembered (the row was re-read or changed elsewhere):
        the next look reads the database."""
        instance.__dict__.pop(self.key, None)


class StoredFields:
    """One instance's tracked fields as stored, read at most once."""

    def __init__(self, tracker, instance):
        self.tracker = tracker
        self.instance = instance
        self._values = None

    def values(self):
        """The tracked fields as stored; {} for a new row, also one copied from a
        stored row by clearing its pk. An instance built in Python for a stored
        row (a historical version being reverted, say), or loaded with deferred
        fields, reads them from the database."""
        if self._values is None:
            self._values = self._read()
        return self._values

    def _read(self):
        instance, fields = self.instance, self.tracker.fields
        if instance.pk is None:
            return {}
        snapshot = instance.__dict__.get(self.tracker.key)
        if instance._state.adding or snapshot is None or len(snapshot) < len(fields):
            rows = type(instance)._base_manager.using(instance._state.db or "default")
            snapshot = rows.filter(pk=instance.pk).values(*fields).first() or {}
        return dict(snapshot)

    def changed(self):
        """The tracked fields whose value in memory differs from the stored one;
        none for a new row."""
        stored = self.values()
        return [
            name
            for name in self.tracker.fields
            if name in stored and stored[name] != getattr(self.instance, name)
        ]
