from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Policy debates"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers checks, connects the change stamp)
