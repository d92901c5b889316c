"""Articles by URL: fetch a page with a timeout, a size cap and a content-type check, only from public addresses.

Every hop (the first request and each redirect) resolves the host once, refuses it when any answer is a loopback,
private, link-local, multicast, reserved or unspecified address, and connects to the vetted address itself, so a
second DNS answer cannot point the request elsewhere. `allow_private_urls` lets loopback and private addresses through
(intranets, tests); link-local (cloud metadata) and multicast addresses stay refused. The page is kept as raw HTML;
geo.articles extracts its text with trafilatura like any uploaded .html file.
"""
from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

from .config import Settings
from .errors import FetchError

MAX_REDIRECTS = 5
CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "geo-dashboard article fetcher"
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Fetched:
    """A fetched page: the URL it came from (after redirects), a file label, and its raw bytes."""

    url: str
    label: str
    data: bytes


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except socket.gaierror as exc:
        raise FetchError(f"{host}: the name does not resolve ({exc.strerror})") from None


def refusal(address: str, allow_private: bool) -> str | None:
    """Why `address` may not be fetched from, or None when it may."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified or (ip.is_reserved and not ip.is_private):
        return "a reserved address"
    if not allow_private and ip.is_loopback:
        return "a loopback address"
    if not allow_private and (ip.is_private or not ip.is_global):
        return "a private address"
    return None


def _vetted(url: str, allow_private: bool, resolve: Resolver) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) of an allowed URL; FetchError with one line otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url[:80]}: only http and https URLs can be fetched")
    if not parts.hostname:
        raise FetchError(f"{url[:80]}: the URL has no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not addresses:
        raise FetchError(f"{parts.hostname}: the name does not resolve")
    for address in addresses:
        why = refusal(address, allow_private)
        if why:
            hint = "" if why in ("a link-local address", "a multicast address", "a reserved address") else " (setting allow_private_urls)"
            raise FetchError(f"{url[:80]}: refused, {parts.hostname} is {why} ({address}){hint}")
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a vetted address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a vetted address; the certificate is checked against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _label(url: str) -> str:
    parts = urlsplit(url)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname}{parts.path}").strip("-")[:80] or "page"
    return slug + ".html"


def fetch_article(url: str, settings: Settings, resolve: Resolver = system_resolver) -> Fetched:
    """The page at `url` as raw bytes, following up to MAX_REDIRECTS redirects; FetchError (one line) on any refusal."""
    url = url.strip()
    cap = settings.max_file_bytes
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = _vetted(url, settings.allow_private_urls, resolve)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address, settings.url_timeout)
        try:
            connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{url[:80]}: redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"{url[:80]}: the server answered {response.status} {response.reason}")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in CONTENT_TYPES:
                raise FetchError(f"{url[:80]}: not an article page (content type {content_type[:40] or 'missing'})")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise FetchError(f"{url[:80]}: {int(declared):,} bytes, over the limit of {cap:,} (setting max_file_bytes)")
            data = response.read(cap + 1)
            if len(data) > cap:
                raise FetchError(f"{url[:80]}: over the limit of {cap:,} bytes (setting max_file_bytes)")
            label = _label(url)
            if content_type == "text/plain":
                label = label[: -len(".html")] + ".txt"
            return Fetched(url, label, data)
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, TimeoutError | socket.timeout):
                raise FetchError(f"{url[:80]}: no answer within {settings.url_timeout:g} s (setting url_timeout)") from None
            raise FetchError(f"{url[:80]}: could not be fetched ({type(exc).__name__})") from None
        finally:
            connection.close()
    raise FetchError(f"{url[:80]}: more than {MAX_REDIRECTS} redirects")
