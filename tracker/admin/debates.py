from django import forms
from django.contrib import admin, messages
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import desk
from ..ingest.flagging import face_new_poles, preview_query
from ..models import Debate, DebateFollow, Proposal
from ..tasks import enqueue_safely, rematch_debate
from .forms import KnownKeysMixin, OptimisticLockForm, SaidField
from .history import HistoryAdmin
from .pages import panel_page, refused
from .users import user_name


def queue_rematch(modeladmin, request, debates):
    queued = [debate for debate in debates if enqueue_safely(rematch_debate, debate.id)]
    if queued:
        names = ", ".join(debate.title for debate in queued)
        modeladmin.message_user(
            request,
            f"Re-matching stored coverage for: {names}. New flags appear as they are found.",
        )
    if len(queued) < len(debates):
        modeladmin.message_user(
            request,
            "The task queue is unavailable; run “manage.py rematch --debate SLUG” instead.",
            messages.ERROR,
        )


class ProposalInline(KnownKeysMixin, admin.TabularInline):
    model = Proposal
    extra = 0
    prepopulated_fields = {"slug": ["title"]}
    fields = ["rung", "title", "slug", "description"]
    ordering = ["rung", "title"]


class WithdrawForm(forms.Form):
    reason = SaidField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on record: why readers no longer see this debate and its positions.",
    )


class DigestAddressForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,  # the account's column, and RFC 5321's longest deliverable address
        error_messages={"max_length": "An email address is at most 254 characters long."},
        help_text="Where the daily digest of the debates you follow is sent.",
    )


class DebateForm(OptimisticLockForm):
    def clean_status(self):
        status = self.cleaned_data["status"]
        was_public = self.instance.pk and self.instance.status != Debate.Status.DRAFT
        if was_public and status == Debate.Status.DRAFT:
            raise forms.ValidationError(
                "Readers see this debate: take it off the site with “Take off the site…”, "
                "which keeps the reason on record."
            )
        return status


WITHDRAWAL = ["withdrawn_at", "withdrawn_by_name", "withdrawn_reason"]


@admin.register(Debate)
class DebateAdmin(HistoryAdmin):
    kept_on_revert = ("status", "withdrawn_at", "withdrawn_by", "withdrawn_reason")
    form = DebateForm
    change_form_template = "admin/tracker/debate/change_form.html"
    list_display = [
        "title",
        "status",
        "low_label",
        "high_label",
        "position_count",
        "followed",
        "updated_at",
    ]
    list_filter = ["status"]
    search_fields = ["title", "slug", "question"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["subjects"]
    inlines = [ProposalInline]
    readonly_fields = [
        "created_at",
        "updated_at",
        "preview_link",
        "withdrawn_at",
        "withdrawn_by_name",
        "withdrawn_reason",
    ]
    withdrawn_by_name = user_name("withdrawn_by")
    autocomplete_fields = ["subjects"]
    actions = ["rematch", "follow", "unfollow"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "question", "summary", "status", "opened_version"]}),
        ("The axis", {"fields": ["low_label", "high_label"]}),
        ("Who it is about", {"fields": ["subjects"]}),
        ("Coverage monitor", {"fields": ["watch_query", "preview_link"]}),
        (
            "Record",
            {
                "fields": [
                    "created_at",
                    "updated_at",
                    *WITHDRAWAL,
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        # The labels as stored, not as the form began: a revert's form begins at
        # the version it goes back to.
        stored = Debate.objects.filter(pk=obj.pk).values_list("low_label", "high_label").first()
        super().save_model(request, obj, form, change)
        turned = face_new_poles(obj, *stored) if stored else 0  # 0 when the labels stay
        if turned:
            self.message_user(
                request,
                f"The stance suggested on {turned} open flag{pluralize(turned)} now "
                "faces the new pole labels.",
            )

    def get_fieldsets(self, request, obj=None):
        # Who took the debate off the site, and why, while it is off; once it
        # is back, History keeps it.
        if obj is not None and obj.status == Debate.Status.DRAFT and obj.withdrawn_at:
            return self.fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in WITHDRAWAL]})
            for name, options in self.fieldsets
        ]

    @staticmethod
    def is_publisher(request):
        return request.user.has_perm("tracker.publish_position")

    def get_readonly_fields(self, request, obj=None):
        # Putting a debate before readers, or taking it away, is a publisher's act.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.is_publisher(request) else [*readonly, "status"]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_withdraw"] = (
            obj is not None and obj.status != Debate.Status.DRAFT and self.is_publisher(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def withdraw_view(self, request, pk):
        debate = get_object_or_404(Debate, pk=pk)
        if not self.is_publisher(request):
            return refused(self, request, "Only publishers take a debate off the site.")
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if desk.withdraw_debate(debate, request.user, form.cleaned_data["reason"]):
                self.message_user(request, f"“{debate}” is off the site; the reason is on record.")
            else:
                self.message_user(request, "Readers do not see this debate already.")
            return redirect("admin:tracker_debate_change", pk)
        context = {
            "title": f"Take “{debate}” off the site?",
            "record": debate,
            "action": "take off the site",
            "form": form,
        }
        return panel_page(self, request, "admin/tracker/debate/withdraw.html", context)

    def digest_address_view(self, request):
        """Where one's own digest goes: the desk cannot open user records, so
        the address the Follow action needs is given here."""
        if not self.has_view_permission(request):
            return refused(self, request, "Following debates is for editors and publishers.")
        initial = {"email": request.user.email}
        form = DigestAddressForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            user = request.user
            user.email = BaseUserManager.normalize_email(form.cleaned_data["email"])
            user.save(update_fields=["email"])
            self.message_user(request, f"Digests of the debates you follow go to {user.email}.")
            return redirect("admin:tracker_debate_changelist")
        context = {"title": "Your address for digests", "form": form}
        return panel_page(self, request, "admin/tracker/debate/digest_address.html", context)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        withdraw = self.admin_site.admin_view(self.withdraw_view)
        address = self.admin_site.admin_view(self.digest_address_view)
        return [
            path("preview-query/", preview, name="tracker_debate_preview_query"),
            path("<int:pk>/withdraw/", withdraw, name="tracker_debate_withdraw"),
            path("digest-address/", address, name="tracker_debate_digest_address"),
            *super().get_urls(),
        ]

    @admin.display(description="preview")
    def preview_link(self, debate):
        url = reverse("admin:tracker_debate_preview_query")
        query = urlencode({"q": debate.watch_query}) if debate and debate.watch_query else ""
        return format_html(
            '<a href="{}?{}" target="_blank">Preview the query against recent coverage</a>',
            url,
            query,
        )

    def preview_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "")
        preview = error = None
        if query.strip():
            error = Debate.watch_query_refusal(query) or None
            preview = None if error else preview_query(query)
        context = {
            "title": "Preview a watch query",
            "query": query,
            "preview": preview,
            "error": error,
        }
        return panel_page(self, request, "admin/tracker/debate/preview_query.html", context)

    @admin.action(description="Follow (new flags in my daily digest)", permissions=["view"])
    def follow(self, request, queryset):
        for debate in queryset:
            DebateFollow.objects.get_or_create(user=request.user, debate=debate)
        count = queryset.count()
        following = f"Following {count} debate{pluralize(count)}."
        if request.user.email:
            self.message_user(request, f"{following} Digests go to {request.user.email}.")
        else:
            url = reverse("admin:tracker_debate_digest_address")
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">Give the address</a> the digest goes to.', following, url
                ),
            )

    @admin.action(description="Unfollow", permissions=["view"])
    def unfollow(self, request, queryset):
        DebateFollow.objects.filter(user=request.user, debate__in=queryset).delete()
        count = queryset.count()
        self.message_user(request, f"No longer following {count} debate{pluralize(count)}.")

    @admin.display(description="followed", boolean=True)
    def followed(self, debate):
        return debate._followed

    @admin.action(
        description="Re-match stored coverage (creates only missing flags)", permissions=["change"]
    )
    def rematch(self, request, queryset):
        queue_rematch(self, request, list(queryset))

    def get_queryset(self, request):
        mine = DebateFollow.objects.filter(debate=OuterRef("pk"), user_id=request.user.pk)
        return (
            super()
            .get_queryset(request)
            .annotate(_position_count=Count("positions"), _followed=Exists(mine))
        )

    @admin.display(description="positions", ordering="_position_count")
    def position_count(self, debate):
        return debate._position_count


class ProposalForm(OptimisticLockForm):
    class Meta:
        model = Proposal
        fields = "__all__"


@admin.register(Proposal)
class ProposalAdmin(HistoryAdmin):
    form = ProposalForm
    list_display = ["title", "debate", "rung"]
    list_filter = ["debate"]
    list_select_related = ["debate"]
    search_fields = ["title", "slug", "debate__title"]
    autocomplete_fields = ["debate"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["debate__title", "rung"]
