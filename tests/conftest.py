import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group

from tracker.roles import EDITOR, PUBLISHER

from .factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def require_service(name, available, why=""):
    """Skip locally when a service is missing; in CI a missing service is a failure."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if IN_CI:
        pytest.fail(f"{message} (CI must provide it)")
    pytest.skip(message)


def tcp_reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url():
    require_service("Redis", tcp_reachable(TEST_REDIS_URL, 6379), TEST_REDIS_URL)
    return TEST_REDIS_URL


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor-user")
    user.groups.add(Group.objects.get(name=EDITOR))
    return user


@pytest.fixture
def publisher(db):
    user = UserFactory(username="publisher-user")
    user.groups.add(Group.objects.get(name=PUBLISHER))
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-user", is_superuser=True)


SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def corpora():
    folder = SHARED / "corpora"
    require_service("the shared corpora", folder.is_dir(), str(folder))
    return folder
