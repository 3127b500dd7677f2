import dataclasses
import datetime

from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import formats, timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .forms import LOCK_FIELD, LinkedChoicesMixin, record_key

NOTHING = "—"

# What a save records for itself, not what an editor changed.
BOOKKEEPING_FIELDS = {"version", "updated_at", "created_at"}


class ReadableChanges(HistoricalRecordContextHelper):
    """A change as an editor reads it: a choice by its label, a date in the
    panel's format, an empty value as a dash; bookkeeping left out."""

    def context_for_delta_changes(self, delta):
        changes = [c for c in delta.changes if c.field not in BOOKKEEPING_FIELDS]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return NOTHING
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return formats.date_format(value, "DATE_FORMAT")
        return super().prepare_delta_change_value(change, value)


def _when(version):
    """A history version's date and time as the panel writes them."""
    return formats.date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")


class HistoryAdmin(LinkedChoicesMixin, SimpleHistoryAdmin):
    """Every change is on record and visible; only publishers may revert to an
    earlier version, and nobody edits the history itself."""

    object_history_list_template = "admin/tracker/object_history_list.html"
    # Fields only a workflow sets (taking a debate off the site, say): a revert
    # restores what was written, not what was decided, so it keeps their
    # stored values, as it keeps the stored version number.
    kept_on_revert = ()

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def has_change_history_permission(self, request, obj=None):
        # A record nobody may edit (a published position) is not reverted either.
        # Asked of an earlier version, the answer is the stored record's: an
        # old draft of a position since retracted is not revertible.
        if obj is not None and hasattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME):
            obj = self.model._default_manager.filter(pk=obj.pk).first()
        return request.user.has_perm("tracker.publish_position") and (
            obj is None or self.has_change_permission(request, obj)
        )

    def revert_disabled(self, request, obj=None):
        return not self.has_change_history_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        self._keys_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._keys_or_404(object_id, version_id)
        obj = self.get_object(request, object_id)
        if request.method == "POST" and not self.has_change_history_permission(request, obj):
            raise PermissionDenied
        # A revert saves through the same optimistic-locking form as an edit,
        # which locks the row (select_for_update): like Django's change view,
        # it must run in one transaction.
        request.reverting_to = version_id  # for response_change's message
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and not self.has_change_permission(request, obj):
            context["adminform"] = shown_as_text(context["adminform"], self)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_history_view(self, request, template, context, **kwargs):
        # A version the user may not revert to (an editor's look, a published
        # position) is shown as a record one may only view: nothing to type in.
        shown = context.get("adminform")  # None on the list of versions
        if shown is not None and context.get("revert_disabled"):
            context["adminform"] = shown_as_text(shown, self)
        return super().render_history_view(request, template, context, **kwargs)

    def response_change(self, request, obj):
        version_id = getattr(request, "reverting_to", None)
        if version_id is None:
            return super().response_change(request, obj)
        version = self.model.history.filter(history_id=version_id).first()
        told = f"“{obj}” is reverted to its version of {_when(version)}"
        self.message_user(request, told if told.endswith(".") else told + ".")  # "a.m." ends one
        return redirect(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", obj.pk)

    def save_model(self, request, obj, form, change):
        version_id = getattr(request, "reverting_to", None)
        if version_id is not None:  # History says which version a revert went back to
            version = self.model.history.filter(history_id=version_id).first()
            if version is not None:
                obj._change_reason = f"reverted to the version of {_when(version)}"[:100]
        super().save_model(request, obj, form, change)

    def _keys_or_404(self, object_id, version_id=None):
        """A typed address whose record or version key is no key at all
        ("abc") is not found; the history views would look it up as one."""
        versions = self.model.history.model
        if record_key(self.model, unquote(object_id)) is None or (
            version_id is not None and record_key(versions, version_id) is None
        ):
            raise Http404("No such record or version.")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and hasattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME):
            keep_the_stored(obj, ["version", *self.kept_on_revert])
        return super().get_form(request, obj, change, **kwargs)


def shown_as_text(adminform, model_admin):
    """A form the user may only read: every value as text, and without the
    version the edit form carries for the optimistic lock, which means
    nothing to a reader ("Opened version: None")."""
    fieldsets = [
        (name, {**options, "fields": [f for f in options["fields"] if f != LOCK_FIELD]})
        for name, options in adminform.fieldsets
    ]
    return helpers.AdminForm(
        adminform.form,
        fieldsets,
        {},
        readonly_fields=flatten_fieldsets(fieldsets),
        model_admin=model_admin,
    )


def keep_the_stored(historical, names):
    """An earlier version being reverted to carries its old values of every
    field; for these (the version number, which the optimistic lock checks,
    and what workflows decide) the revert keeps the stored row's."""
    fields = [
        field.attname for field in type(historical)._meta.concrete_fields if field.name in names
    ]
    stored = type(historical)._default_manager.filter(pk=historical.pk).values(*fields).first()
    for name, value in (stored or {}).items():
        setattr(historical, name, value)
