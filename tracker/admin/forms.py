from django import forms
from django.db import models

from ..models.actors import normalise_aliases


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


class HttpsURLFieldsMixin:
    """A URL typed without a scheme is taken as https://, not http://."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
