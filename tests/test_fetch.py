"""Articles by URL against a local HTTP server on 127.0.0.1: fetched, extracted as HTML articles, and every refusal
(address, redirect, DNS answer, content type, size, time) in one line."""
from __future__ import annotations

import http.server
import threading
import time
from dataclasses import replace

import pytest

from geo.articles import read_article_bytes
from geo.config import load_settings
from geo.errors import FetchError
from geo.fetch import fetch_article, refusal

PAGE = (b"<html><head><title>Harbour talks</title><script>steal()</script></head><body><nav>Home | World</nav>"
        b"<article><h1>Harbour talks</h1><p>The envoy arrived in the harbour town on Monday for two days of talks "
        b"with the port authority, officials said.</p><p>Talks resume on Tuesday.</p></article></body></html>")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        routes = {
            "/article": (200, "text/html; charset=utf-8", PAGE),
            "/plain": (200, "text/plain", b"Plain story\n\nA short text."),
            "/image": (200, "image/png", b"\x89PNG...."),
            "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
            "/missing": (404, "text/html", b"no"),
        }
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(2)
        status, kind, body = routes.get(self.path, (200, "text/html", PAGE))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:  # the client gave up on /slow
            pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local():
    return replace(load_settings(), allow_private_urls=True, url_timeout=1.0, max_file_bytes=4000)


def test_a_page_is_fetched_and_read_as_an_html_article(server, local):
    fetched = fetch_article(server + "/article", local)
    assert fetched.data == PAGE and fetched.label.endswith(".html")
    article = read_article_bytes(fetched.label, fetched.data, local)
    assert "envoy arrived in the harbour town" in article.text and "steal()" not in article.text and "Home | World" not in article.text


def test_redirects_are_followed_and_plain_text_is_kept_as_text(server, local):
    assert fetch_article(server + "/redirect", local).url == server + "/article"
    assert fetch_article(server + "/plain", local).label.endswith(".txt")


@pytest.mark.parametrize("path,message", [
    ("/image", "not an article page (content type image/png)"),
    ("/big", "over the limit of 4,000 (setting max_file_bytes)"),
    ("/missing", "the server answered 404"),
    ("/slow", "no answer within 1 s (setting url_timeout)"),
    ("/loop", "more than 5 redirects"),
    ("/to-metadata", "refused, 169.254.169.254 is a link-local address"),
])
def test_refusals_are_one_line(server, local, path, message):
    with pytest.raises(FetchError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        fetch_article(server + path, local)
    assert "\n" not in str(info.value)


def test_loopback_and_private_addresses_are_refused_by_default(server):
    settings = replace(load_settings(), allow_private_urls=False)
    with pytest.raises(FetchError, match=r"refused, 127.0.0.1 is a loopback address .*setting allow_private_urls"):
        fetch_article(server + "/article", settings)
    with pytest.raises(FetchError, match="loopback"):
        fetch_article("http://localhost:9/article", settings)
    with pytest.raises(FetchError, match="only http and https"):
        fetch_article("file:///etc/passwd", settings)


def test_the_dns_answer_is_checked_and_the_connection_pinned_to_it(server, local):
    port = int(server.rsplit(":", 1)[1])
    with pytest.raises(FetchError, match="news.test is a private address"):
        fetch_article("http://news.test/article", replace(local, allow_private_urls=False), resolve=lambda host, p: ["10.1.2.3"])
    with pytest.raises(FetchError, match="a multicast address"):
        fetch_article("http://news.test/article", local, resolve=lambda host, p: ["93.184.216.34", "224.0.0.1"])
    # The vetted answer is the address connected to: a name that resolves to the local server reaches it.
    assert fetch_article(f"http://news.test:{port}/article", local, resolve=lambda host, p: ["127.0.0.1"]).data == PAGE


@pytest.mark.parametrize("address,allow,expected", [
    ("8.8.8.8", False, None), ("127.0.0.1", False, "a loopback address"), ("192.168.1.5", False, "a private address"),
    ("10.0.0.1", True, None), ("169.254.169.254", True, "a link-local address"), ("fe80::1", True, "a link-local address"),
    ("239.1.1.1", True, "a multicast address"), ("::ffff:127.0.0.1", False, "a loopback address"), ("0.0.0.0", True, "a reserved address"),
])
def test_address_policy(address, allow, expected):
    assert refusal(address, allow) == expected
