"""Test settings: the real services of config.settings, with cheaper hashing."""

import os
from pathlib import Path

# The suite does not depend on a developer's local.env.
os.environ.setdefault("TRACKER_LOCAL_ENV", "")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-checks")
os.environ.setdefault(
    "TRACKER_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test")
)

from .settings import *  # noqa: F403
from .settings import DATA_DIR, DATABASES, SQLITE_ENGINE, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# Worker processes started by tests must open the same test database, so the
# SQLite test database is a file rather than in memory.
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-tracker.sqlite3")}
