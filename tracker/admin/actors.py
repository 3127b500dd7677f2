from django import forms
from django.contrib import admin

from .. import desk
from ..models import Actor, Membership
from ..models.actors import MEMBERSHIP_TWICE, country_code
from ..models.common import one_line
from .forms import KnownKeysMixin, LinesField, LinkedChoicesMixin, OptimisticLockForm
from .history import HistoryAdmin


class CountryField(forms.CharField):
    """A country by its name or its ISO code (two or three letters, any case),
    stored as the two capitals the model keeps."""

    def __init__(self, **kwargs):
        super().__init__(max_length=100, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = country_code(value)
        if code is None:
            raise forms.ValidationError(
                "No country is known as “%(value)s”. Give the country's name or its "
                "two-letter code, like EE for Estonia.",
                params={"value": value},
            )
        return code


class ActorForm(OptimisticLockForm):
    aliases = LinesField(
        required=False, help_text="Other names used in coverage, one per line (“Kremlin”)."
    )
    country = CountryField(
        required=False,
        help_text="The country itself, or the one an official serves: its name or its "
        "two-letter code (EE, or Estonia).",
    )

    class Meta:
        model = Actor
        fields = ["kind", "name", "slug", "country", "aliases", "wikidata_id", "description"]

    def _update_errors(self, errors):
        # A country typed wrong already says so; the model's "needs its code"
        # would say it twice.
        if self.has_error("country") and hasattr(errors, "error_dict"):
            errors.error_dict.pop("country", None)
        super()._update_errors(errors)


class MembershipFormSet(forms.BaseInlineFormSet):
    """The rows of one submission against each other (each row is checked
    against what is stored by the model's constraint): the same organisation,
    post and start date twice, a missing date included."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("organization"):
                continue
            role = one_line(data.get("role", "")).casefold()
            key = (data["organization"].pk, role, data.get("start_date"))
            if key in seen:
                form.add_error(None, MEMBERSHIP_TWICE)
            seen.add(key)


class MembershipInline(KnownKeysMixin, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    fk_name = "member"
    extra = 0
    autocomplete_fields = ["organization"]
    verbose_name = "membership or post"
    verbose_name_plural = "memberships and posts"


@admin.register(Actor)
class ActorAdmin(HistoryAdmin):
    form = ActorForm
    list_display = ["name", "kind", "country", "slug", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "aliases", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["rematch_debates"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "country", "aliases", "opened_version"]}),
        ("Reference", {"fields": ["wikidata_id", "description", "created_at", "updated_at"]}),
    ]

    @admin.action(
        description="Re-match debates whose watch query names these actors", permissions=["change"]
    )
    def rematch_debates(self, request, queryset):
        from .debates import queue_rematch

        debates = desk.debates_naming_actors(queryset.values_list("slug", flat=True))
        if debates:
            queue_rematch(self, request, debates)
        else:
            self.message_user(request, "No debate's watch query names these actors.")


@admin.register(Membership)
class MembershipAdmin(LinkedChoicesMixin, admin.ModelAdmin):
    list_display = ["member", "organization", "role", "start_date", "end_date"]
    list_filter = ["organization__kind"]
    list_select_related = ["member", "organization"]
    search_fields = ["member__name", "organization__name", "role"]
    autocomplete_fields = ["member", "organization"]
