"""A small HTTP server on 127.0.0.1 that answers like Nominatim's /search, with switchable failures."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PLACES = {
    "springfield": [{"place_id": 1, "osm_type": "relation", "osm_id": 122586, "lat": "39.7990", "lon": "-89.6440",
                     "display_name": "Springfield, Sangamon County, Illinois, United States", "class": "boundary",
                     "type": "administrative", "addresstype": "city", "importance": 0.7,
                     "address": {"city": "Springfield", "country_code": "us"}}],
    "atlantis station": [{"place_id": 2, "osm_type": "node", "osm_id": 777, "lat": "10.0000", "lon": "20.0000",
                          "display_name": "Atlantis Station, Nowhere", "class": "railway", "type": "station",
                          "addresstype": "railway", "importance": 0.3, "address": {"country_code": "td"}}],
}


class FakeNominatim:
    """mode: ok | refuse (server closed) | timeout | slow | 429 | 500 | malformed | empty."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[str] = []
        self.times: list[float] = []  # wall-clock arrival of each request, for rate-limit tests
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query).get("q", [""])[0]
                server.requests.append(query)
                server.times.append(time.time())
                if server.mode in ("timeout", "slow"):
                    time.sleep(server.delay)
                if server.mode == "429":
                    self.send_response(429)
                    self.send_header("Retry-After", "30")
                    self.end_headers()
                    return
                if server.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"internal error")
                    return
                if server.mode == "malformed":
                    body = b"{not json"
                elif server.mode == "empty":
                    body = b"[]"
                else:
                    body = json.dumps(PLACES.get(query.lower(), [])).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
