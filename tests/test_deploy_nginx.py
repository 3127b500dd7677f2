"""The sample nginx config (deploy/nginx.conf) as a deployer installs it, in front
of a real gunicorn running the tracker with production settings on PostgreSQL:
TLS with a certificate made here, HTTP redirected, static files, HSTS, and the
reader's own address reaching Django's per-client decisions."""

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import TEST_REDIS_URL, require_service, tcp_reachable
from .postgres import scratch_database
from .subprocesses import ROOT, clean_environment, stop

pytestmark = pytest.mark.slow

HOST = "tracker.example.org"
SAMPLE = Path(ROOT) / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
PASSWORD = "a long admin password for the proxy test"
STARTUP_SECONDS = 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, log):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{process.args[0]} did not listen on {port}:\n{log.read_text()[-3000:]}")


def render_sample(*, http_port, https_port, upstream_port, certificate, key):
    """The sample with this machine's ports and files, and nothing else changed:
    each replaced line must be found, so the test follows the sample's edits."""
    text = SAMPLE.read_text()
    replacements = [
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(certificate)),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
    ]
    for old, new in replacements:
        assert text.count(old) == 1, f"the sample no longer has {old!r} once"
        text = text.replace(old, new)
    # The test listens on IPv4 loopback only.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def nginx_main_config(folder, site):
    """What /etc/nginx/nginx.conf does for a site file, with every path in folder."""
    # Started as root, nginx's workers become "nobody", who cannot read pytest's
    # private temporary folders: the test's workers stay root instead.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"  {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{user}
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} notice;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {folder / "access.log"};
{temp}
  include {site};
}}
"""


def make_certificate(folder):
    certificate, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(
        [
            OPENSSL, "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", f"/CN={HOST}",
            "-addext", f"subjectAltName=DNS:{HOST}",
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return certificate, key


@contextmanager
def running(command, env, log_path, port):
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for_port(port, process, log_path)
        yield process
    finally:
        stop(process)


class Reader:
    """One reader's connections to the site, from their own address on the loopback
    network (127.0.0.2, 127.0.0.3, ...) with the name the certificate is for."""

    def __init__(self, address, ports, certificate):
        self.address, self.ports = address, ports
        self.tls = ssl.create_default_context(cafile=str(certificate))
        self.cookies = SimpleCookie()

    def request(self, method, path, *, scheme="https", host=HOST, headers=None, body=None):
        reader = self

        class Connection(http.client.HTTPSConnection):
            def connect(self):
                raw = socket.create_connection(
                    (self.host, self.port), self.timeout, self.source_address
                )
                self.sock = reader.tls.wrap_socket(raw, server_hostname=HOST)

        kind = Connection if scheme == "https" else http.client.HTTPConnection
        connection = kind(
            "127.0.0.1", self.ports[scheme], timeout=30, source_address=(self.address, 0)
        )
        headers = {"Host": host, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return response, content

    def log_in(self, username, password, claim=None):
        """The panel's login form, as a browser posts it (the CSRF cookie and token
        first), claiming to be forwarded for the address `claim` if given."""
        response, page = self.request("GET", "/admin/login/")
        assert response.status == 200, page[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}"}
        if claim:
            headers["X-Forwarded-For"] = claim
        return self.request(
            "POST", "/admin/login/?next=/admin/", body=urlencode(form), headers=headers
        )


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """nginx with the sample config on 127.0.0.1, gunicorn behind it, PostgreSQL
    and Redis: the production settings a deployer sets (docs/deploy.md). One for
    the module: the tests use their own users and readers' addresses."""
    require_service("Redis", tcp_reachable(TEST_REDIS_URL, 6379), TEST_REDIS_URL)
    tmp_path = tmp_path_factory.mktemp("site")
    require_service("nginx", Path(NGINX).exists(), NGINX)
    require_service("openssl", OPENSSL is not None)
    ports = {"http": free_port(), "https": free_port()}
    upstream = free_port()
    with scratch_database("nginx") as database_url:
        env = clean_environment(
            tmp_path,
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            SECURE_SSL_REDIRECT="1",
            USE_X_FORWARDED_PROTO="1",
            SECURE_HSTS_SECONDS="31536000",
            TRUSTED_PROXY_COUNT="1",
            DATABASE_URL=database_url,
            REDIS_URL=TEST_REDIS_URL,
            STATIC_ROOT=str(tmp_path / "static"),
            API_RATE="3/minute",
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        users = "from django.contrib.auth.models import User; " + "; ".join(
            f"User.objects.create_superuser({name!r}, password={PASSWORD!r})"
            for name in ("desk", "night-desk")
        )
        manage(env, "shell", "-c", users)
        certificate, key = make_certificate(tmp_path)
        site_file = tmp_path / "tracker.conf"
        sample = render_sample(
            http_port=ports["http"], https_port=ports["https"], upstream_port=upstream,
            certificate=certificate, key=key,
        )  # fmt: skip
        site_file.write_text(sample)
        nginx_conf = tmp_path / "nginx.conf"
        nginx_conf.write_text(nginx_main_config(tmp_path, site_file))
        logs = tmp_path / "error.log"
        nginx = [NGINX, "-p", str(tmp_path), "-e", str(logs), "-c", str(nginx_conf)]
        checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
        # One gunicorn worker with threads: the API's rate-limit counts then live in
        # one process's memory cache (production shares them through CACHE_URL).
        gunicorn = [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{upstream}",
            "--workers", "1", "--threads", "4",
        ]  # fmt: skip
        with (
            running(gunicorn, env, tmp_path / "gunicorn.log", upstream),
            running(nginx, env, logs, ports["https"]),
        ):
            yield {
                "ports": ports,
                "upstream": upstream,
                "certificate": certificate,
                "database_url": database_url,
                "tmp": tmp_path,
            }


def test_the_sample_nginx_config_serves_the_tracker_over_https(site):
    reader = Reader("127.0.0.2", site["ports"], site["certificate"])

    response, page = reader.request("GET", "/")
    print("GET https://tracker.example.org/ through nginx:", response.status)
    assert response.status == 200, page[:1000]
    assert b"Policy Debate Tracker" in page
    assert (
        response.headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )

    # Plain HTTP is only ever a redirect to the same address over HTTPS.
    response, _ = reader.request("GET", "/debates/?kind=country", scheme="http")
    assert response.status == 301
    assert response.headers["Location"] == "https://tracker.example.org/debates/?kind=country"

    # Static files: collected with hashed names, served with a far-future cache and HSTS.
    stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
    print("static file:", stylesheet)
    assert re.fullmatch(r"/static/public/site\.[0-9a-f]{12}\.css", stylesheet)
    response, css = reader.request("GET", stylesheet)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert css == (site["tmp"] / "static" / stylesheet.removeprefix("/static/")).read_bytes()

    # Cookies only ever travel over HTTPS.
    response, _ = reader.request("GET", "/admin/login/")
    assert "Secure" in response.headers["Set-Cookie"]

    # A load balancer's check through the proxy, never cached: the database and the
    # broker answer; no worker runs here, so background work is "degraded".
    response, body = reader.request("GET", "/healthz")
    assert response.status == 200
    assert json.loads(body) == {
        "status": "degraded", "database": "ok", "broker": "ok", "worker_seconds_since_seen": None,
        "queues": {"celery": None, "cpu": None, "fetch": None},
    }  # fmt: skip
    assert "no-cache" in response.headers["Cache-Control"]
    # A load balancer checking a web host directly names the site and the scheme as
    # nginx does; without the scheme, SECURE_SSL_REDIRECT answers with a redirect.
    for headers, status in (({"X-Forwarded-Proto": "https"}, 200), ({}, 301)):
        direct = http.client.HTTPConnection("127.0.0.1", site["upstream"], timeout=30)
        direct.request("GET", "/healthz", headers={"Host": HOST, **headers})
        assert direct.getresponse().status == status, headers
        direct.close()

    # A name the site does not serve gets no answer from Django at all: over HTTP,
    # and over TLS whether the other name is in the handshake or only the request.
    with pytest.raises(http.client.RemoteDisconnected):
        reader.request("GET", "/", scheme="http", host="other.example.org")
    with pytest.raises(http.client.RemoteDisconnected):
        reader.request("GET", "/", host="other.example.org")
    with (
        socket.create_connection(("127.0.0.1", site["ports"]["https"]), timeout=10) as raw,
        pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"),
    ):
        reader.tls.wrap_socket(raw, server_hostname="other.example.org")


def test_behind_nginx_a_lockout_and_the_rate_limit_key_on_the_readers_own_address(site):
    ports, certificate = site["ports"], site["certificate"]
    attacker = Reader("127.0.0.2", ports, certificate)
    colleague = Reader("127.0.0.3", ports, certificate)

    # Five wrong passwords from one address, each claiming to be forwarded for another.
    claims = [f"198.51.100.{n}" for n in range(1, 7)]
    statuses = [attacker.log_in("desk", "wrong", claim)[0].status for claim in claims[:5]]
    print("five wrong passwords from 127.0.0.2, each with another X-Forwarded-For:", statuses)
    assert statuses == [200, 200, 200, 200, 429]
    response, _ = attacker.log_in("desk", PASSWORD, claims[5])
    assert response.status == 429  # locked out, even with the right password

    # Five wrong passwords for another user, claiming nothing: the reader is
    # locked out, not everyone behind the same nginx.
    statuses = [attacker.log_in("night-desk", "wrong")[0].status for _ in range(5)]
    print("five wrong passwords from 127.0.0.2 for night-desk:", statuses)
    assert statuses == [200, 200, 200, 200, 429]
    for username in ("night-desk", "desk"):
        response, _ = Reader("127.0.0.3", ports, certificate).log_in(username, PASSWORD)
        print(f"{username}'s right password from 127.0.0.3:", response.status)
        assert response.status == 302
        assert response.headers["Location"] == "/admin/"

    import psycopg

    with psycopg.connect(site["database_url"]) as db:
        attempts = db.execute(
            "SELECT username, host(ip_address), failures_since_start FROM axes_accessattempt"
            " ORDER BY username"
        ).fetchall()
    # desk's sixth, right, password was refused and counted too.
    assert attempts == [("desk", "127.0.0.2", 6), ("night-desk", "127.0.0.2", 5)]

    # The API's rate limit (3 a minute here) counts per reader too, claims or not.
    spoofing = [
        attacker.request("GET", "/api/v1/debates/", headers={"X-Forwarded-For": claim})[0].status
        for claim in claims[:4]
    ]
    print("API from 127.0.0.2, four requests:", spoofing)
    assert spoofing == [200, 200, 200, 429]
    assert colleague.request("GET", "/api/v1/debates/")[0].status == 200
