"""geo.render: hostile text stays text wherever the dashboard shows it."""
from __future__ import annotations

from geo.render import Span, esc, external_link, highlight_html, safe_url, snippet_html

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_esc_neutralises_tags_and_quotes():
    out = esc(HOSTILE + "'\"&")
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert esc(None) == ""


def test_only_http_urls_become_links():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x",
                "//evil.example", "http://x.org/\"onmouseover=alert(1)", None, ""):
        assert safe_url(bad) is None, bad
    link = external_link("javascript:alert(1)", "original")
    assert "<a" not in link and "javascript:alert(1)" in link
    ok = external_link("https://cbc.ca/x", "<b>t</b>")
    assert 'href="https://cbc.ca/x"' in ok and "&lt;b&gt;" in ok and "noopener" in ok


def test_snippet_marks_the_mention_and_cuts_at_words():
    text = "word " * 40 + "Khasan" + " more" * 40
    start = text.index("Khasan")
    out = snippet_html(text, start, start + 6, width=30)
    assert "<mark>Khasan</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert " wor…" not in out  # no half words
    assert snippet_html(HOSTILE + " Seoul", len(HOSTILE) + 1, len(HOSTILE) + 6).count("<") == 2


def test_highlight_links_spans_and_escapes_the_rest():
    text = "Kim met <b>Putin</b> in Khasan."
    out = highlight_html(text, [Span(24, 30, "place", "/?place=gn:1&x=<y>", "Khasan (city)"),
                                Span(0, 3, "actor", None), Span(1, 5, "overlap", None)])
    assert out.startswith('<mark class="actor">Kim</mark>')
    assert '<a class="place" href="/?place=gn:1&amp;x=&lt;y&gt;" target="_self"' in out
    assert "&lt;b&gt;Putin&lt;/b&gt;" in out and "overlap" not in out


def test_missing_values_show_as_nothing():
    from geo.render import coordinates, text

    nan = float("nan")
    assert text(None) == text(nan) == esc(nan) == ""
    assert text(0) == "0" and esc("a<b") == "a&lt;b"
    assert coordinates(42.43081, 130.64339) == "42.4308, 130.6434"
    assert coordinates(None, 1.0) == ""
