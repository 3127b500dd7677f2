from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """Every change is on record and visible; only publishers may revert to an
    earlier version, and nobody edits the history itself."""

    def has_change_history_permission(self, request, obj=None):
        return request.user.has_perm("tracker.publish_position")

    def revert_disabled(self, request, obj=None):
        return not self.has_change_history_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
