"""Articles from the web by URL, fetched safely: an article page or an RSS/Atom feed.

>>> fetch_articles("https://news.example/world/rss.xml")      # doctest: +SKIP
[Article(...), ...]

What reaches the network, and what does not:

- only ``http://`` and ``https://`` URLs, without a user name or password;
- the host is resolved once; every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved, unspecified or shared, in IPv4 or IPv6,
  IPv4 inside IPv6 included), unless ``allow_private``; then the fetcher connects to
  the address it checked, with the Host header and TLS SNI and certificate check of the
  host name, so a DNS answer that changes in between (rebinding) cannot reach another
  address;
- ``timeout`` bounds resolving, connecting and each wait for data, and the whole fetch
  must end within ``TOTAL_TIME_FACTOR`` times it (a server that drips bytes);
- the body is read in pieces and refused as soon as it passes ``max_bytes`` (a larger
  Content-Length is refused before any of the body is read);
- at most ``MAX_REDIRECTS`` redirects, each target checked as the first URL was;
- no proxy, no cookies, no credentials.

The page is then read by the readers' own code (:func:`geo.readers.web.html_articles`,
:func:`geo.readers.web.feed_articles`), chosen by its first element and content type.
Every failure is an :class:`~geo.errors.InputError` naming the URL and the reason.
"""
from __future__ import annotations

import concurrent.futures
import errno
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit

from geo.errors import InputError
from geo.models import Article
from geo.readers._decode import human_size

if TYPE_CHECKING:
    from geo.settings import Settings

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_TIMEOUT", "MAX_REDIRECTS", "FetchSettings",
           "fetch_articles", "is_url", "iter_url_articles"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
TOTAL_TIME_FACTOR = 6
USER_AGENT = "NewsAtlas/1.0 (article fetcher)"
_ACCEPT = ("text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
           "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
_CHUNK = 64 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml",
               "application/xml", "text/xml", "application/x-rss+xml"}
_NOT_TEXT = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
             "application/gzip")
_FEED_ROOTS = {"rss", "feed", "rdf:rdf"}
_CLUTTER = re.compile(r"<!--.*?-->|<\?.*?\?>|<![^>]*>", re.S)
_FIRST_ELEMENT = re.compile(r"<([A-Za-z][\w:.-]*)")
Warn = Callable[[str], None]


@dataclass(frozen=True)
class FetchSettings:
    """The fetcher's settings, shared by the CLI and the dashboard (from
    :mod:`geo.settings`: ``NEWS_ATLAS_FETCH_ALLOW_PRIVATE``, ``NEWS_ATLAS_FETCH_TIMEOUT``,
    ``NEWS_ATLAS_FETCH_MAX_BYTES``)."""

    allow_private: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_settings(cls, settings: "Settings") -> FetchSettings:
        return cls(allow_private=settings.fetch_allow_private, timeout=settings.fetch_timeout,
                   max_bytes=settings.fetch_max_bytes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FetchSettings:
        """From the environment (``os.environ`` when None); SettingsError names a bad value."""
        from geo.settings import load

        return cls.from_settings(load(environ))


def is_url(value: str) -> bool:
    """Whether an input names a web address to fetch rather than a file."""
    return value[:8].lower().startswith(("http://", "https://"))


@dataclass
class _Page:
    url: str            # after redirects
    content_type: str   # "text/html", lower case, no parameters ("" when not sent)
    charset: str | None
    body: bytes


class _Refused(Exception):
    """Why one URL (the first, or a redirect's target) is not fetched; ``InputError``
    names the URL the user gave, and the redirect if there was one."""


def fetch_articles(url: str, *, allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """The articles at ``url``: one for an article page, one per entry for a feed.
    InputError when the page cannot be fetched or holds no article; a feed entry that
    cannot be read is logged and skipped (unless none can be read)."""
    articles: list[Article] = []
    errors: list[InputError] = []
    for item in iter_url_articles(url, allow_private=allow_private, timeout=timeout,
                                  max_bytes=max_bytes):
        (errors if isinstance(item, InputError) else articles).append(item)
    if errors and not articles:
        raise errors[0]
    for error in errors:
        logger.warning("skipped %s", error)
    return articles


def iter_url_articles(url: str, *, allow_private: bool = False,
                      timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                      on_warning: Warn | None = None) -> Iterator[Article | InputError]:
    """As :func:`geo.readers.iter_articles` for a URL: each Article, and an InputError
    for the whole URL (nothing fetched) or for each feed entry that cannot be read."""
    from geo.readers.web import decode_markup, feed_articles, html_articles

    if not timeout > 0 or not max_bytes > 0:
        raise ValueError("timeout and max_bytes must be positive")
    warn = on_warning or logger.warning
    try:
        page = _fetch(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes)
    except InputError as err:
        yield err
        return
    try:
        if not page.body.strip():
            raise InputError(url, f"the server sent an empty page ({page.url})")
        markup = decode_markup(page.body, url, charset=page.charset)
        reader = feed_articles if _is_feed(markup, page, url) else html_articles
        yield from reader(markup, url, warn, url=page.url)
    except InputError as err:
        yield err


def _is_feed(markup: str, page: _Page, where: str) -> bool:
    """Feed or page, by the document's first element, else by its content type."""
    match = _FIRST_ELEMENT.search(_CLUTTER.sub("", markup[:8192]))
    root = match.group(1).lower() if match else ""
    if root in _FEED_ROOTS:
        return True
    if root == "html" or page.content_type in _HTML_TYPES:
        return False
    if page.content_type in _FEED_TYPES:
        return True
    sent = page.content_type or "no content type"
    raise InputError(where, f"not an article or feed: the server sent {sent}, which is "
                     "neither an HTML page nor an RSS/Atom feed")


def _fetch(url: str, *, allow_private: bool, timeout: float, max_bytes: int) -> _Page:
    """GET ``url`` and its redirects, within the limits; InputError naming ``url``."""
    deadline = time.monotonic() + timeout * TOTAL_TIME_FACTOR
    current, seen = url, [url]
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if time.monotonic() > deadline:
                raise _Refused(f"timed out: the redirects took more than "
                               f"{timeout * TOTAL_TIME_FACTOR:g} s")
            parts = _parse(current)
            addresses = _resolve(parts, allow_private=allow_private, timeout=timeout)
            location, page = _get(current, parts, addresses, timeout=timeout,
                                  max_bytes=max_bytes, deadline=deadline)
            if page is not None:
                return page
            target = urljoin(current, location)
            if target in seen:
                raise _Refused(f"redirect loop: {current} redirects back to {target}")
            seen.append(target)
            current = target
        raise _Refused(f"too many redirects (more than {MAX_REDIRECTS})")
    except _Refused as err:
        where = f" (redirected to {current})" if current != url else ""
        raise InputError(url, f"{err}{where}") from err


def _parse(url: str) -> SplitResult:
    """The URL's parts, if it is one we fetch."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError as err:
        raise _Refused(f"not a valid URL ({err})") from err
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"'{parts.scheme}:'" if parts.scheme else "none"
        raise _Refused(f"only http:// and https:// URLs are fetched (the scheme is {shown})")
    if not parts.hostname:
        raise _Refused("the URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise _Refused("the URL holds a user name or password; they are not sent")
    return parts


def _ascii_host(parts: SplitResult) -> str:
    host = parts.hostname or ""
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as err:
        raise _Refused(f"invalid host name {host!r} ({err})") from err


def _resolve(parts: SplitResult, *, allow_private: bool, timeout: float) -> list[str]:
    """The host's addresses, resolved once (within ``timeout``), each of them checked."""
    host = _ascii_host(parts)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM
                            ).result(timeout=timeout)
    except concurrent.futures.TimeoutError as err:
        raise _Refused(f"timed out: resolving {host} took more than {timeout:g} s") from err
    except (socket.gaierror, UnicodeError) as err:
        raise _Refused(f"cannot reach {host}: no network or unknown host ({err})") from err
    finally:
        pool.shutdown(wait=False)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            kind = address_kind(address)
            if kind:
                article = "an" if kind[0] in "aeiou" else "a"
                raise _Refused(f"refused: {address} is {article} {kind} address; fetching "
                               "private addresses is turned off")
    return addresses


def address_kind(address: str) -> str | None:
    """What kind of non-public address ``address`` is ("private", "loopback", ...), or
    None for a public one. An IPv4 address inside an IPv6 one (mapped, 6to4, Teredo) is
    judged as itself too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        for embedded in filter(None, inner):
            kind = address_kind(str(embedded))
            if kind:
                return kind
    for kind, test in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if test:
            return kind
    return None if ip.is_global else "non-public (shared or special-purpose)"


def _get(url: str, parts: SplitResult, addresses: list[str], *, timeout: float,
         max_bytes: int, deadline: float) -> tuple[str, _Page | None]:
    """One GET to the first of ``addresses`` that connects: ``(location, None)`` for a
    redirect, ``("", page)`` for a page."""
    import urllib3
    from urllib3.exceptions import HTTPError, NewConnectionError, SSLError

    host = parts.hostname or ""
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    name = _ascii_host(parts)
    host_header = f"[{name}]" if ":" in name else name
    if parts.port and parts.port != (443 if https else 80):
        host_header += f":{parts.port}"
    headers = {"Host": host_header, "User-Agent": USER_AGENT, "Accept": _ACCEPT}
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    error: Exception | None = None
    for address in addresses:
        pool = (urllib3.HTTPSConnectionPool(address, port, server_hostname=name,
                                            cert_reqs="CERT_REQUIRED", timeout=limits,
                                            retries=False, maxsize=1)
                if https else
                urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False,
                                           maxsize=1))
        try:
            response = pool.urlopen("GET", target, headers=headers, redirect=False,
                                    retries=False, preload_content=False,
                                    assert_same_host=False)
        except NewConnectionError as err:  # refused or unreachable: try the next address
            error = err
            pool.close()
            continue
        except (SSLError, HTTPError, OSError) as err:
            pool.close()
            raise _Refused(_network_reason(err, host, port, timeout)) from err
        try:
            return _answer(response, url, host, timeout=timeout, max_bytes=max_bytes,
                           deadline=deadline)
        except (HTTPError, OSError) as err:
            raise _Refused(_network_reason(err, host, port, timeout)) from err
        finally:
            response.close()
            pool.close()
    raise _Refused(_network_reason(error, host, port, timeout))


def _network_reason(err: Exception | None, host: str, port: int, timeout: float) -> str:
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError, SSLError

    if isinstance(err, NewConnectionError):
        cause = err.__cause__ or err.__context__
        code = getattr(cause, "errno", None)
        if code == errno.ECONNREFUSED:
            return f"cannot connect to {host}:{port}: connection refused"
        if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return f"cannot reach {host}: no network or unknown host ({cause})"
        return f"cannot connect to {host}:{port}: {cause or err}"
    if isinstance(err, ConnectTimeoutError):
        return f"timed out: cannot connect to {host}:{port} within {timeout:g} s"
    if isinstance(err, (ReadTimeoutError, TimeoutError, socket.timeout)):
        return f"timed out: {host} sent nothing for {timeout:g} s"
    if isinstance(err, SSLError):
        return f"secure connection to {host} failed: {err}"
    return f"connection to {host} failed: {err}"


def _answer(response, url: str, host: str, *, timeout: float, max_bytes: int,  # noqa: ANN001
            deadline: float) -> tuple[str, _Page | None]:
    """The redirect's location or the page, from an HTTP response (urllib3)."""
    status = response.status
    if status in _REDIRECTS:
        location = response.headers.get("Location", "").strip()
        if not location:
            raise _Refused(f"HTTP {status}: a redirect without a Location")
        return location, None
    if not 200 <= status < 300:
        raise _Refused(_status_reason(status))
    media, charset = _content_type(response.headers.get("Content-Type", ""))
    if media.startswith(_NOT_TEXT):
        raise _Refused(f"not an article or feed: the server sent {media}")
    body = _read_body(response, host, timeout=timeout, max_bytes=max_bytes, deadline=deadline)
    return "", _Page(url, media, charset, body)


def _status_reason(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    advice = {404: "there is no page at this address", 410: "the page was removed",
              401: "the page needs a sign-in", 403: "the server refuses to send it",
              429: "too many requests; try again later"}.get(status)
    if advice is None:
        advice = "the server failed; try again later" if status >= 500 else "not a page"
    return f"HTTP {status} {phrase}: {advice}"


def _content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    match = re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", params, re.I)
    return media.strip().lower(), match.group(1) if match else None


def _too_large(size: str, max_bytes: int) -> _Refused:
    return _Refused(f"too large: {size} is over the limit of {human_size(max_bytes)} "
                    f"({max_bytes} bytes); stopped reading")


def _read_body(response, host: str, *, timeout: float, max_bytes: int,  # noqa: ANN001
               deadline: float) -> bytes:
    """The body, read piece by piece and given up as soon as it passes ``max_bytes`` or
    the fetch passes its deadline."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(f"the page declares {int(declared)} bytes", max_bytes)
    chunks, size = [], 0
    while True:
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(f"the page sent more than {max_bytes} bytes", max_bytes)
        if time.monotonic() > deadline:
            raise _Refused(f"timed out: {host} took more than "
                           f"{timeout * TOTAL_TIME_FACTOR:g} s to send the page")
        chunks.append(chunk)
