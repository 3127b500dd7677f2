import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from tracker.public.freshness import forget_page_copies
from tracker.roles import EDITOR, PUBLISHER

from . import factories as f
from .factories import UserFactory
from .feedserver import FeedServer

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


@pytest.fixture(scope="session", autouse=True)
def static_root():
    """WhiteNoise serves STATIC_ROOT, collectstatic's output in production, and
    warns of a missing one; the suite serves no collected files."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session", autouse=True)
def empty_test_broker():
    """Tests that post forms queue real messages (a reader's confirmation, a
    fetch); each run starts and ends with the test broker's queues empty, so no
    worker a test starts inherits another test's or another run's messages."""
    purge_test_broker()
    yield
    purge_test_broker()


def purge_test_broker():
    from config.celery import app

    queues = {settings.CELERY_TASK_DEFAULT_QUEUE}
    queues.update(route["queue"] for route in settings.CELERY_TASK_ROUTES.values())
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            for queue in sorted(queues):
                connection.default_channel.queue_purge(queue)
    except OSError:
        pass  # no broker to purge: the tests that need one say so themselves


@pytest.fixture
def client(client):
    """Django's test client as readers reach the site, with an empty page cache:
    cached pages are keyed on the data's change time, which can repeat across tests."""
    client.defaults["HTTP_HOST"] = "localhost"
    cache.clear()
    forget_page_copies()
    return client


@pytest.fixture
def redis_url():
    require_service("Redis", tcp_reachable(TEST_REDIS_URL, 6379), TEST_REDIS_URL)
    return TEST_REDIS_URL


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A Redis server of this test's own on a free port, never the shared one."""
    binary = shutil.which("redis-server")
    require_service("redis-server", binary is not None)
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not tcp_reachable(url, port):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    try:
        yield server, url
    finally:
        server.kill()
        server.wait()


@pytest.fixture
def editor(db):
    return UserFactory(username="editor-user", role=EDITOR)


@pytest.fixture
def publisher(db):
    return UserFactory(username="publisher-user", role=PUBLISHER)


@pytest.fixture(params=["editor", "publisher"])
def desk_user(request, editor, publisher):
    """Each desk role in turn: what both may do is checked as both."""
    return {"editor": editor, "publisher": publisher}[request.param]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-user", is_superuser=True)


SHARED = Path(__file__).resolve().parents[2] / "shared"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# The README's screenshots are redrawn by the browser tests only when asked
# (UPDATE_SCREENSHOTS=1): a test run never changes tracked files.
SCREENSHOTS = (
    Path(__file__).resolve().parents[1] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS
)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip


@pytest.fixture
def browser_page(monkeypatch):
    """A real Chromium page (Debian's, driven by Playwright); screenshots go to test-artifacts/."""
    require_service("Chromium", Path(CHROMIUM).exists(), CHROMIUM)
    # Playwright's sync API runs an event loop in this thread; Django's live
    # server and ORM calls made by the test are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        try:
            yield page
        finally:
            browser.close()


def watch_for_violations(page, violations):
    """Collect the page's Content-Security-Policy violations and script errors."""

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    # Reports the violations the console may word differently.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI));"
    )


PASSWORD = "correct horse battery staple"  # the factories' users' password


def log_in(page, base, username, password=PASSWORD):
    """Log in to the editorial panel in the browser, as a person does."""
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")


def new_actor_popup(page, button, kind, name):
    """Open the "+" popup beside an actor field and type a new actor into it, as a
    person does; the popup is returned unsaved."""
    with page.expect_popup() as opened:
        page.click(button)
    popup = opened.value
    popup.wait_for_load_state()
    popup.select_option("#id_kind", kind)
    popup.locator("#id_name").press_sequentially(name)
    return popup


@pytest.fixture(scope="session")
def corpora():
    folder = SHARED / "corpora"
    require_service("the shared corpora", folder.is_dir(), str(folder))
    return folder


@pytest.fixture
def roles(transactional_db):
    """The desk's groups, for tests whose writes really commit: transactional_db
    flushes the database, and with it the groups the migrations created."""
    from django.contrib.auth.models import Permission

    from tracker.roles import ensure_roles

    ensure_roles(Group, Permission)


@pytest.fixture
def committing_publisher(roles):
    return UserFactory(username="publisher-user", role=PUBLISHER)


@pytest.fixture
def server(settings):
    """A feed server on 127.0.0.2, a network the poller may reach in tests."""
    settings.TRACKER_FEED_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    settings.TRACKER_FEED_DEADLINE = 5
    with FeedServer("127.0.0.2") as running:
        yield running


@pytest.fixture
def watched(db):
    """A debate whose watch query needs NATO, Russia (or the Kremlin) and drones."""
    f.ActorFactory(slug="russia", name="Russia", aliases=["Kremlin"])
    return f.DebateFactory(slug="airspace", watch_query="NATO AND @russia AND drone*")


@pytest.fixture
def debate(db):
    return f.DebateFactory(
        slug="airspace", title="Airspace", low_label="conservative", high_label="more aggressive"
    )


@pytest.fixture
def estonia(db):
    return f.CountryFactory(name="Estonia", slug="estonia", country="EE")
