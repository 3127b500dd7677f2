from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models

from ..models.actors import normalise_aliases
from ..models.common import one_line


class LinesField(forms.CharField):
    """A list of strings edited as a textarea, one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        text = super().to_python(value) or ""
        return normalise_aliases(text.splitlines())

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


def record_key(model, value):
    """`value` as a key of `model`'s, or None where it could be no record's key
    ("x", or "²", which passes str.isdigit() and fails int()): looked up as
    one, it would fail in the database."""
    try:
        return model._meta.pk.to_python(value)
    except ValidationError:
        return None


class KnownKeysOnly:
    """An autocomplete widget that shows a value which could be no record's key
    (a crafted "x" or "²" posted for a choice) as nothing chosen: Django's looks
    every value up to show its label, and fails in the database on such a one.
    The field itself refuses the value ("Select a valid choice")."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        model = remote.model
        key = model._meta.get_field(getattr(remote, "field_name", None) or model._meta.pk.name)
        return super().optgroups(name, [v for v in value if _is_key(key, v)], attr)


def _is_key(field, value):
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class KnownKeysSelect(KnownKeysOnly, AutocompleteSelect):
    pass


class KnownKeysSelectMultiple(KnownKeysOnly, AutocompleteSelectMultiple):
    pass


class KnownKeysMixin:
    """A ModelAdmin's or inline's autocomplete fields, with KnownKeysOnly widgets;
    and a list action's selected keys, of which one that could be no record's key
    is dropped, where Django would fail on it in the database (with none left,
    Django says that items must be selected)."""

    def response_action(self, request, queryset):
        keys = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        kept = [key for key in keys if record_key(self.model, key) is not None]
        if kept != keys:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, kept)
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownKeysSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownKeysSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LinkedChoicesMixin(KnownKeysMixin):
    """An add link's ?debate=7 fills in that choice (the panel's own links do
    this); a value that could be no record's key is left out. The autocomplete
    widget looks the given key up to show its label and fails on "x"."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name in self.autocomplete_fields:
            if name not in initial:
                continue
            field = self.model._meta.get_field(name)
            key = field.target_field if field.many_to_one else field.related_model._meta.pk
            given = initial[name] if isinstance(initial[name], list) else [initial[name]]
            try:
                for value in given:
                    key.to_python(value)
            except ValidationError:
                del initial[name]
        # Any other field named in the link (?published_at=2025-10-01) is read as
        # its field reads it, or left out: the form's widgets take values, not text.
        for name in [name for name in initial if name not in self.autocomplete_fields]:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_many or not field.concrete:
                continue
            try:
                initial[name] = field.to_python(initial[name])
            except ValidationError:
                del initial[name]
        return initial


class HttpsURLFieldsMixin:
    """A URL typed without a scheme is taken as https://, not http://."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class SaidField(forms.CharField):
    """A reason kept on record: text of characters nobody sees (zero-width
    spaces, direction marks) is no reason, and is refused as an empty one."""

    def to_python(self, value):
        value = super().to_python(value)
        return value if one_line(value) else ""


LOCK_FIELD = "opened_version"


class OptimisticLockForm(forms.ModelForm):
    """Refuse to overwrite a change someone saved after this form was opened,
    and say what they changed; theirs is kept.

    The version the editor opened travels in a field of the form's own, not the
    model's `version`: the model bumps that itself, and a form field of the same
    name would save an empty value over it when a new record is added."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        model = type(self.instance)
        # Inside the admin's transaction: on PostgreSQL this locks the row, so a
        # concurrent save waits and then sees the newer version.
        current = model.objects.select_for_update().filter(pk=self.instance.pk).first()
        opened = cleaned.get("opened_version")
        if current is None or opened is None or current.version == opened:
            return cleaned
        seen = current.history.filter(version=opened).order_by("-history_date").first()
        changes = [
            f"{self.fields[name].label or name.replace('_', ' ').capitalize()} is now "
            f"“{self._display(current, name)}”"
            for name in self.fields
            if name != LOCK_FIELD and seen is not None and self._differs(seen, current, name)
        ]
        who = current.history.order_by("-history_date").first().history_user
        detail = "; ".join(changes) or "details changed"
        raise forms.ValidationError(
            f"{who or 'Someone'} saved this after you opened it: {detail}. Your changes were "
            "not saved, and theirs are kept; reload the page to start from the latest version."
        )

    @staticmethod
    def _differs(seen, current, name):
        """Compare the version the editor opened (from history) with the stored one."""
        field = current._meta.get_field(name)
        attribute = field.attname
        return getattr(seen, attribute, None) != getattr(current, attribute, None)

    @staticmethod
    def _display(instance, name):
        value = getattr(instance, name, "")
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return value


class EvidenceSourceForm(forms.ModelForm):
    """A URL that is not one is reported as that alone: the form drops it before
    the model checks for a source, which would also say none was given."""

    def _post_clean(self):
        super()._post_clean()
        if self.has_error("url") and self.has_error(NON_FIELD_ERRORS, "needs_a_source"):
            kept = [
                e for e in self.errors[NON_FIELD_ERRORS].as_data() if e.code != "needs_a_source"
            ]
            if kept:
                self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
            else:
                del self._errors[NON_FIELD_ERRORS]
