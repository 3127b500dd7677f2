from django.contrib import admin

from ..models import Heartbeat
from .forms import KnownKeysMixin


@admin.register(Heartbeat)
class HeartbeatAdmin(KnownKeysMixin, admin.ModelAdmin):
    list_display = ["name", "seen_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
