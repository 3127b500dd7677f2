"""A real HTTP server on a loopback address, serving whatever a test routes to it."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Route:
    def __init__(self, status=200, body=b"", headers=None, drip=None, stall=None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.drip = drip  # seconds between single bytes of the body
        self.stall = stall  # seconds to wait before answering at all


class FeedServer:
    def __init__(self, host="127.0.0.2"):
        self.host = host
        self.routes = {}
        self.requests = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if callable(route):
                    route = route(self)
                if route is None:
                    route = Route(404, b"not found")
                if route.stall and server.stopping.wait(route.stall):
                    return
                self.send_response(route.status)
                body = route.body
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.drip is None:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if route.drip is None:
                    self.wfile.write(body)
                    return
                for byte in body:
                    if server.stopping.wait(route.drip):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0.05)


def rss(*items, title="Test feed", link="https://test.example/", ttl=None):
    entries = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid><description>{d}</description></item>"
        for t, u, d in items
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{link}</link>{ttl_tag}{entries}</channel></rss>"
    ).encode()


class RawServer:
    """A TCP server on a loopback address that answers every connection by sending
    `chunks` one at a time, `pause` seconds apart, whatever was asked. It stops by
    itself after `lifetime` seconds, and when the test leaves the `with` block."""

    def __init__(self, chunks, pause, host="127.0.0.2", lifetime=20.0):
        self.chunks, self.pause, self.host = chunks, pause, host
        self.stopping = threading.Event()
        self.connections = 0
        self.listener = socket.create_server((host, 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.ends_at = time.monotonic() + lifetime
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def _done(self):
        return self.stopping.is_set() or time.monotonic() > self.ends_at

    def _serve(self):
        while not self._done():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()
        self.listener.close()

    def _answer(self, connection):
        with connection:
            connection.settimeout(1)
            try:
                connection.recv(65536)  # the request; its content does not matter
                for chunk in self.chunks:
                    connection.sendall(chunk)
                    if self.stopping.wait(self.pause) or self._done():
                        return
            except OSError:
                return  # the client went away

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=5)
