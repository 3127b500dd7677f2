"""Data releases in the panel: publishers cut them and record a DOI once minted;
nobody changes or deletes a release once cut."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import path
from django.utils.html import format_html

from ..models import DataRelease
from ..models.common import one_line
from ..public.releases import citation, release_path
from ..releases import ReleaseNotCut, cut_release
from .forms import KnownKeysMixin
from .pages import panel_page, refused
from .users import user_name


class CutForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, shown to readers: what this release is for.",
    )

    def clean_note(self):
        # Kept for good and shown to readers: each line as its letters read,
        # without the marks that turn text round or characters nobody sees.
        lines = self.cleaned_data["note"].splitlines()
        return "\n".join(one_line(line) for line in lines).strip()


@admin.register(DataRelease)
class DataReleaseAdmin(KnownKeysMixin, admin.ModelAdmin):
    list_display = ["__str__", "position_count", "debate_count", "cut_by", "doi"]
    fields = ["number", "cut_at", "cut_by_name", "note", "counts", "public_page", "cite", "doi"]
    cut_by_name = user_name("cut_by")
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).without_files().select_related("cut_by")

    @staticmethod
    def may_cut(request):
        return request.user.has_perm("tracker.add_datarelease")

    def has_add_permission(self, request):
        # Cutting is its own page (cut_view): a release is never typed in by hand.
        return False

    def has_change_permission(self, request, obj=None):
        # The one change a release takes is its DOI, recorded once by a publisher.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not obj.doi_recorded)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.fields if name != "doi"]

    def save_model(self, request, obj, form, change):
        if form.cleaned_data["doi"]:  # saved blank, nothing is recorded
            obj.record_doi(form.cleaned_data["doi"])

    @admin.display(description="contents")
    def counts(self, release):
        return (
            f"{release.position_count} position{pluralize(release.position_count)} in "
            f"{release.debate_count} debate{pluralize(release.debate_count)}, "
            f"{release.actor_count} actor{pluralize(release.actor_count)}"
        )

    @admin.display(description="public page")
    def public_page(self, release):
        url = release_path(release.number)
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="citation")
    def cite(self, release):
        return citation(release)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": "Data releases",
            **(extra_context or {}),
            "may_cut": self.may_cut(request),
        }
        return super().changelist_view(request, extra_context)

    def cut_view(self, request):
        if not self.may_cut(request):
            return refused(self, request, "Only publishers cut data releases.")
        form = CutForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                release = cut_release(request.user, form.cleaned_data["note"])
            except ReleaseNotCut as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    f"Release {release.number} is cut: {release.position_count} positions, "
                    "frozen as they are now.",
                )
                return redirect("admin:tracker_datarelease_change", release.pk)
        last = DataRelease.objects.without_files().order_by("-number").first()
        context = {"title": "Cut a data release", "form": form, "last": last}
        return panel_page(self, request, "admin/tracker/datarelease/cut.html", context)

    def get_urls(self):
        cut = self.admin_site.admin_view(self.cut_view)
        return [path("cut/", cut, name="tracker_datarelease_cut"), *super().get_urls()]
