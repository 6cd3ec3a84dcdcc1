"""geo.fetch against a real HTTP server on 127.0.0.1 (a thread, a random port) serving
recorded pages and feeds from tests/data/fetch/, and hostile answers: endless, slow,
dripping, failing, redirecting in a loop or to a private address."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo import fetch
from geo.errors import InputError
from geo.fetch import FetchSettings, fetch_articles, is_url
from geo.settings import SettingsError
from geo.store import Store
from tests.conftest import DATA, REPO

FIXTURES = DATA / "fetch"
HTML = ("text/html; charset=utf-8", (FIXTURES / "article.html").read_bytes())
RSS = ("application/rss+xml", (FIXTURES / "feed.rss").read_bytes())
ATOM = ("application/atom+xml; charset=utf-8", (FIXTURES / "feed.atom").read_bytes())
LATIN1 = ("<html><head><title>Crues à Liège</title></head><body><article><h1>Crues à Liège"
          "</h1><p>La Meuse est sortie de son lit à Liège et à Namur mardi, et les pompiers "
          "ont évacué des rues entières près du pont de Fragnée.</p></article></body></html>"
          ).encode("iso-8859-1")
GZIP_BOMB = gzip.compress(b"<p>" + b"a" * 20_000_000 + b"</p>", compresslevel=9)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # noqa: ANN002 (quiet)
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        server: _Server = self.server  # type: ignore[assignment]
        server.requests.append(self.path)
        server.hosts.append(self.headers.get("Host"))
        route = server.routes.get(self.path)
        if route is None:
            self._send(404, "text/html", b"<html><body><h1>Not found</h1></body></html>")
        elif callable(route):
            route(self)
        else:
            self._send(200, *route)

    def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[str, bytes] | Callable[[_Handler], None]] = {}
        self.requests: list[str] = []
        self.hosts: list[str | None] = []
        self.connections = 0
        self.sent = 0  # bytes written by the endless route before the client hung up
        self.stop = threading.Event()
        self.hung_up = threading.Event()

    def get_request(self):  # noqa: ANN201 (socketserver's name): count every TCP accept
        accepted = super().get_request()
        self.connections += 1
        return accepted

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the client gave up: fine
            super().handle_error(request, client_address)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _redirect(location: str, status: int = 302) -> Callable[[_Handler], None]:
    return lambda handler: handler._send(status, "text/html", b"", Location=location)


def _endless(handler: _Handler) -> None:
    """A page with no length that never ends (until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    chunk = b"<p>" + b"Kyiv " * 13_000 + b"</p>\n"
    try:
        while not handler.server.stop.is_set() and handler.server.sent < 1_000_000_000:
            handler.wfile.write(chunk)
            handler.server.sent += len(chunk)
    except OSError:  # the client hung up
        handler.server.hung_up.set()


def _declares_huge(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(10**9))
    handler.end_headers()
    handler.wfile.write(b"<html>")
    handler.server.stop.wait(5)


def _slow(handler: _Handler) -> None:
    """Says nothing for 5 seconds."""
    handler.server.stop.wait(5)
    handler._send(200, *HTML)


def _drip(handler: _Handler) -> None:
    """Headers at once, then one byte every 0.1 s for up to 20 s."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        for _ in range(200):
            if handler.server.stop.wait(0.1):
                return
            handler.wfile.write(b"x")
            handler.wfile.flush()
    except OSError:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    srv.routes.update({
        "/article.html": HTML, "/feed.xml": RSS, "/atom.xml": ATOM,
        "/feed-as-text": ("text/plain", RSS[1]), "/page-as-bytes": ("application/octet-stream", HTML[1]),
        "/photo.png": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        "/notes.txt": ("text/plain", b"Just some notes, no markup at all."),
        "/empty": ("text/html", b""),
        "/latin1.html": ("text/html; charset=ISO-8859-1", LATIN1),
        "/bomb": lambda h: h._send(200, "text/html", GZIP_BOMB, Content_Encoding="gzip"),
        "/broken": lambda h: h._send(500, "text/html", b"<h1>oops</h1>"),
        "/moved": _redirect("/article.html", 301),
        "/endless": _endless, "/huge": _declares_huge, "/slow": _slow, "/drip": _drip,
        "/loop-a": _redirect("/loop-b"), "/loop-b": _redirect("/loop-a"),
        "/to-file": _redirect("file:///etc/passwd"),
        "/to-private": _redirect("http://10.0.0.5/internal"),
        "/to-self": _redirect(f"http://0.0.0.0:{srv.server_address[1]}/article.html"),
    })
    for n in range(fetch.MAX_REDIRECTS + 2):
        srv.routes[f"/chain/{n}"] = _redirect(f"/chain/{n + 1}")
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()


def _refusal(url: str, **options) -> str:
    with pytest.raises(InputError) as caught:
        fetch_articles(url, **options)
    assert caught.value.path == url
    return caught.value.reason


# --- pages and feeds -----------------------------------------------------------------

def test_an_article_page_becomes_one_article_with_its_metadata(server):
    (article,) = fetch_articles(f"{server.base}/article.html", allow_private=True)
    assert article.title == "Wildfire forces evacuations near Patras"
    assert article.url == "https://courier.example/europe/2024/07/patras-wildfire"
    assert article.source == "Coastal Courier"
    assert article.published.startswith("2024-07-21")
    assert article.path == f"{server.base}/article.html"
    assert "Hundreds of residents were ordered to leave villages" in article.text
    assert article.text.endswith("under the European Union's civil protection mechanism.")
    for boilerplate in ("Subscribe", "courier-analytics", "Privacy", "bundle.js"):
        assert boilerplate not in article.text
    assert server.hosts == [f"127.0.0.1:{server.server_address[1]}"]


def test_rss_entries_become_articles_with_links_resolved_against_the_feed(server):
    url = f"{server.base}/feed.xml"
    wildfire, strike = fetch_articles(url, allow_private=True)
    assert wildfire.title == "Wildfire forces evacuations near Patras"
    assert wildfire.url == "https://courier.example/europe/2024/07/patras-wildfire"
    assert wildfire.source == "Coastal Courier: Europe"
    assert wildfire.published.startswith("2024-07-21")
    assert wildfire.text.startswith("Hundreds of residents were ordered to leave villages above")
    assert (wildfire.path, strike.path) == (f"{url}#1", f"{url}#2")
    assert strike.url == f"{server.base}/europe/2024/07/piraeus-ferry-strike"
    assert "Santorini, Mykonos and Crete" in strike.text


def test_atom_entries_take_their_content_or_summary(server):
    terminal, ice = fetch_articles(f"{server.base}/atom.xml", allow_private=True)
    assert terminal.source == "Harbour Desk"
    assert terminal.url == "https://harbour.example/2024/03/rotterdam-terminal"
    assert "rail shuttles to Duisburg" in terminal.text  # the content, longer than the summary
    assert ice.text == ("Sea ice in the Gulf of Bothnia closed the port of Luleå to ships "
                        "without ice class.")
    assert ice.published.startswith("2024-03-12")


def test_the_kind_is_found_by_content_when_the_type_says_otherwise(server):
    feed = fetch_articles(f"{server.base}/feed-as-text", allow_private=True)
    assert [a.title for a in feed][0] == "Wildfire forces evacuations near Patras"
    (page,) = fetch_articles(f"{server.base}/page-as-bytes", allow_private=True)
    assert page.source == "Coastal Courier"


def test_a_redirect_is_followed_and_the_page_keeps_the_final_address(server):
    (article,) = fetch_articles(f"{server.base}/moved", allow_private=True)
    assert article.title == "Wildfire forces evacuations near Patras"
    assert server.requests == ["/moved", "/article.html"]


def test_a_page_in_the_charset_its_http_header_names_is_decoded(server):
    (article,) = fetch_articles(f"{server.base}/latin1.html", allow_private=True)
    assert article.title == "Crues à Liège"
    assert "pont de Fragnée" in article.text


@pytest.mark.parametrize(("path", "reason"), [
    ("/photo.png", "not an article or feed: the server sent image/png"),
    ("/notes.txt", "not an article or feed: the server sent text/plain"),
    ("/empty", "the server sent an empty page"),
])
def test_what_is_not_an_article_or_feed_is_named(server, path, reason):
    assert reason in _refusal(f"{server.base}{path}", allow_private=True)


# --- HTTP failures and limits --------------------------------------------------------

def test_http_errors_give_the_status_and_what_it_means(server):
    assert _refusal(f"{server.base}/nowhere", allow_private=True) == (
        "HTTP 404 Not Found: there is no page at this address")
    assert _refusal(f"{server.base}/broken", allow_private=True) == (
        "HTTP 500 Internal Server Error: the server failed; try again later")


def test_an_endless_page_is_given_up_as_soon_as_it_passes_the_limit(server):
    started = time.monotonic()
    reason = _refusal(f"{server.base}/endless", allow_private=True, max_bytes=200_000)
    assert reason == ("too large: the page sent more than 200000 bytes is over the limit of "
                      "195.3 KB (200000 bytes); stopped reading")
    assert time.monotonic() - started < 5
    assert server.hung_up.wait(5)  # the fetcher closed the connection...
    assert server.sent < 50_000_000  # ...after socket buffers' worth, not the 1 GB


def test_a_compressed_page_is_measured_as_it_unpacks(server):
    """20 MB of text in a 20 KB gzip body: the limit counts what it unpacks to."""
    assert len(GZIP_BOMB) < 100_000
    reason = _refusal(f"{server.base}/bomb", allow_private=True, max_bytes=1_000_000)
    assert reason.startswith("too large: the page sent more than 1000000 bytes")


def test_a_page_declaring_a_larger_size_is_refused_before_its_body_is_read(server):
    started = time.monotonic()
    reason = _refusal(f"{server.base}/huge", allow_private=True, max_bytes=1000)
    assert reason.startswith("too large: the page declares 1000000000 bytes")
    assert time.monotonic() - started < 3  # did not wait for the body


def test_a_server_that_does_not_answer_times_out(server):
    started = time.monotonic()
    reason = _refusal(f"{server.base}/slow", allow_private=True, timeout=0.5)
    assert reason == "timed out: 127.0.0.1 sent nothing for 0.5 s"
    assert time.monotonic() - started < 3


def test_a_server_that_drips_bytes_is_given_up_after_the_total_time(server):
    started = time.monotonic()
    reason = _refusal(f"{server.base}/drip", allow_private=True, timeout=0.3)
    assert reason == (f"timed out: 127.0.0.1 took more than {0.3 * fetch.TOTAL_TIME_FACTOR:g} "
                      "s to send the page")
    assert time.monotonic() - started < 0.3 * fetch.TOTAL_TIME_FACTOR + 2


def test_a_redirect_loop_and_a_long_chain_are_refused(server):
    reason = _refusal(f"{server.base}/loop-a", allow_private=True)
    assert reason.startswith(f"redirect loop: {server.base}/loop-b redirects back to "
                             f"{server.base}/loop-a")
    assert server.requests == ["/loop-a", "/loop-b"]
    reason = _refusal(f"{server.base}/chain/0", allow_private=True)
    assert reason.startswith(f"too many redirects (more than {fetch.MAX_REDIRECTS})")
    assert len(server.requests) == 2 + fetch.MAX_REDIRECTS + 1


def test_a_redirect_to_another_scheme_is_refused(server):
    reason = _refusal(f"{server.base}/to-file", allow_private=True)
    assert reason == ("only http:// and https:// URLs are fetched (the scheme is 'file:') "
                      "(redirected to file:///etc/passwd)")


@pytest.fixture
def loopback_is_public(monkeypatch):
    """Treat 127.0.0.1 (only it) as a public address, so the test server can stand for
    a public site whose redirects are then checked for real."""
    real = fetch.address_kind
    monkeypatch.setattr(fetch, "address_kind", lambda a: None if a == "127.0.0.1" else real(a))


def test_a_redirect_to_a_private_address_is_refused(server, loopback_is_public):
    reason = _refusal(f"{server.base}/to-private")
    assert reason == ("refused: 10.0.0.5 is a private address; fetching private addresses "
                      "is turned off (redirected to http://10.0.0.5/internal)")


def test_a_redirect_to_this_machine_is_refused_without_connecting(server, loopback_is_public):
    """0.0.0.0 reaches the test server itself: only the check stops it."""
    reason = _refusal(f"{server.base}/to-self")
    assert reason.startswith("refused: 0.0.0.0 is an unspecified address")
    assert server.requests == ["/to-self"] and server.connections == 1


def test_the_host_is_resolved_once_and_its_checked_address_is_used(server, monkeypatch,
                                                                     loopback_is_public):
    """DNS rebinding: a name that answers a public address to the check and a private
    one afterwards still reaches only the address that was checked."""
    import socket

    real, asked = socket.getaddrinfo, []

    def rebinding_dns(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        asked.append(host)
        return real("127.0.0.1" if len(asked) == 1 else "10.0.0.5", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    port = server.server_address[1]
    (article,) = fetch_articles(f"http://rebind.test:{port}/article.html", timeout=2)
    assert article.source == "Coastal Courier"
    assert asked == ["rebind.test"]
    assert server.hosts == [f"rebind.test:{port}"]


# --- refused addresses: nothing is connected to ----------------------------------------

@pytest.mark.parametrize(("host", "address", "kind"), [
    ("127.0.0.1", "127.0.0.1", "a loopback"),
    ("localhost", "127.0.0.1", "a loopback"),
    ("2130706433", "127.0.0.1", "a loopback"),   # decimal
    ("0177.0.0.1", "127.0.0.1", "a loopback"),   # octal
    ("0x7f.1", "127.0.0.1", "a loopback"),       # hexadecimal, short form
    ("127.1", "127.0.0.1", "a loopback"),
    ("0.0.0.0", "0.0.0.0", "an unspecified"),
    ("[::1]", "::1", "a loopback"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "a loopback"),
    ("[::ffff:7f00:1]", "::ffff:127.0.0.1", "a loopback"),
    ("[::]", "::", "an unspecified"),
    ("10.0.0.5", "10.0.0.5", "a private"),
    ("192.168.1.1", "192.168.1.1", "a private"),
    ("172.16.0.1", "172.16.0.1", "a private"),
    ("169.254.169.254", "169.254.169.254", "a link-local"),  # cloud metadata
    ("[fe80::1]", "fe80::1", "a link-local"),
    ("[fc00::1]", "fc00::1", "a private"),
    ("[2002:a00:5::]", "2002:a00:5::", "a private"),  # 6to4 around 10.0.0.5
    ("224.0.0.1", "224.0.0.1", "a multicast"),
    ("[ff02::1]", "ff02::1", "a multicast"),
    ("240.0.0.1", "240.0.0.1", "a reserved"),
    ("100.64.0.1", "100.64.0.1", "a non-public (shared or special-purpose)"),
])
def test_private_addresses_are_refused_before_any_connection(server, host, address, kind):
    port = server.server_address[1]
    url = f"http://{host}:{port}/article.html"
    started = time.monotonic()
    assert _refusal(url, timeout=5) == (f"refused: {address} is {kind} address; fetching "
                                        "private addresses is turned off")
    assert time.monotonic() - started < 2  # no connection attempt waited for its timeout
    assert server.connections == 0 and server.requests == []


def test_the_same_address_is_fetched_when_private_addresses_are_allowed(server):
    port = server.server_address[1]
    for host in ("2130706433", "0.0.0.0", "[::ffff:127.0.0.1]", "localhost"):
        (article,) = fetch_articles(f"http://{host}:{port}/article.html", allow_private=True)
        assert article.source == "Coastal Courier"
    assert server.hosts == [f"{h}:{port}" for h in
                            ("2130706433", "0.0.0.0", "[::ffff:127.0.0.1]", "localhost")]


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://news.example/feed.xml", "only http:// and https:// URLs are fetched (the scheme "
                                    "is 'ftp:')"),
    ("file:///etc/passwd", "only http:// and https:// URLs are fetched (the scheme is 'file:')"),
    ("http:///article.html", "the URL has no host name"),
    ("http://user:secret@news.example/", "the URL holds a user name or password; they are "
                                         "not sent"),
    ("http://news.example:99999/", "not a valid URL (Port out of range 0-65535)"),
])
def test_urls_that_are_not_fetched(url, reason):
    assert _refusal(url) == reason


def test_an_unknown_host_or_no_network_says_so():
    assert _refusal("http://nonexistent.invalid/").startswith(
        "cannot reach nonexistent.invalid: no network or unknown host")


def test_a_closed_port_says_the_connection_was_refused():
    import socket

    with socket.socket() as probe:  # a free port, then nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert _refusal(f"http://127.0.0.1:{port}/", allow_private=True) == (
        f"cannot connect to 127.0.0.1:{port}: connection refused")


# --- HTTPS: the checked address, the host's name --------------------------------------

@pytest.fixture
def tls_server(server, tmp_path, monkeypatch):
    """The server behind TLS with a certificate for ``localhost`` only, trusted through
    SSL_CERT_FILE as a private CA would be."""
    import ssl

    cert, key = _self_signed("localhost", tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return server


def _self_signed(name: str, folder) -> tuple[str, str]:  # noqa: ANN001
    x509 = pytest.importorskip("cryptography.x509")
    from datetime import datetime, timedelta, timezone

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_https_checks_the_certificate_against_the_host_name(tls_server):
    port = tls_server.server_address[1]
    (article,) = fetch_articles(f"https://localhost:{port}/article.html", allow_private=True)
    assert article.source == "Coastal Courier"
    reason = _refusal(f"https://127.0.0.1:{port}/article.html", allow_private=True)
    assert reason.startswith("secure connection to 127.0.0.1 failed:")
    assert "certificate" in reason.lower()


# --- settings and the command line ------------------------------------------------------

def test_settings_come_from_the_environment():
    assert FetchSettings.from_env({}) == FetchSettings(False, 10.0, 5_000_000)
    assert FetchSettings.from_env({"NEWS_ATLAS_FETCH_ALLOW_PRIVATE": "yes",
                                   "NEWS_ATLAS_FETCH_TIMEOUT": "2.5",
                                   "NEWS_ATLAS_FETCH_MAX_BYTES": "1000"}) == (
        FetchSettings(True, 2.5, 1000))
    with pytest.raises(SettingsError, match="NEWS_ATLAS_FETCH_TIMEOUT: '-1' is not a positive"):
        FetchSettings.from_env({"NEWS_ATLAS_FETCH_TIMEOUT": "-1"})
    assert is_url("HTTPS://news.example/") and not is_url("news/http.txt")


@pytest.mark.gazetteer
@pytest.mark.model
def test_cli_ingests_a_feed_by_url_into_the_store(server, tmp_path):
    db = tmp_path / "s.sqlite"
    url = f"{server.base}/feed.xml"
    env = {**os.environ, "NEWS_ATLAS_GAZETTEER": os.environ.get(
        "NEWS_ATLAS_GAZETTEER", "data/gazetteer.sqlite")}
    env.pop("NEWS_ATLAS_FETCH_ALLOW_PRIVATE", None)

    def ingest(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "geo", "ingest", *args, "--db", str(db)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=600)

    refused = ingest(url)
    assert refused.returncode == 1, refused.stderr
    assert (f"error: {url}: refused: 127.0.0.1 is a loopback address; fetching private "
            "addresses is turned off") in refused.stderr
    run = ingest(url, "--allow-private", "--fetch-timeout", "5")
    assert "Traceback" not in run.stderr
    assert run.returncode == 0, run.stderr
    assert "ingested 2 article(s)" in run.stdout
    with Store.open(str(db)) as store:
        rows = dict(store.conn.execute("SELECT path, title FROM articles").fetchall())
        places = {name for (name,) in store.conn.execute("SELECT name FROM places")}
    assert rows == {f"{url}#1": "Wildfire forces evacuations near Patras",
                    f"{url}#2": "Ferry strike strands travellers in Piraeus"}
    assert "Piraeus" in places  # the feed's text reached the geoparser and the map
    env["NEWS_ATLAS_FETCH_ALLOW_PRIVATE"] = "1"  # the setting, instead of the flag
    again = ingest(url)
    assert again.returncode == 0, again.stderr
    assert "ingested 0 article(s), 2 already stored" in again.stdout
