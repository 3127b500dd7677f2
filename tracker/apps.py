from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Policy debates"

    def ready(self):
        from .public import freshness  # noqa: F401  (connects the change signals)
