from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Policy debates"

    def ready(self):
        from . import signals  # noqa: F401  (connects the public change stamp)
