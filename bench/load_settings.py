"""bench/load.py's site: the tracker's production settings with the bench's own
URLconf, which adds a hello-world view beside the tracker's pages."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "load"
