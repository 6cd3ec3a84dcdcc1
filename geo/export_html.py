"""``python -m geo export --format html``: the map as one self-contained HTML file.

Leaflet, the cluster and heat plugins, the styles and the country outlines are inlined
as ``data:`` URLs, so the file opens from disk with no network and no server. Every
popup carries the place's latest passages (``per_place`` of them, then "and K more");
its links open the passage in a reader panel *inside the file*: each article that a
popup cites is in the file (hidden until asked for), as is a list of each place's
passages. With ``base_url`` the links go into a hosted dashboard instead.

The page has a ``<title>`` and a heading naming the store, the filters and the date of
export, and a legend that explains the markers and switches the layers (heat included).
All article text is escaped (:mod:`geo.render`): nothing from an article runs.
"""
from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, quote, urlsplit

import pandas as pd
from branca.element import Element, MacroElement
from folium.template import Template

from geo import maps
from geo.assets import AssetUrls, _sources
from geo.map_basemap import layers_holding
from geo.maps import legend_html  # the one legend builder, also the dashboard's
from geo.query import Filters, article_view, place_snippets, place_table
from geo.render import esc, external_link
from geo.store import Store
from geo.urlstate import LIST_KEYS, filters_from_params, link_maker

PAGE_FILES = Path(__file__).resolve().parent / "data" / "export"  # page.css, reader.js
PER_PLACE = 5  # passages per place in its popup and in its list; "and K more" after
IDS_PER_QUERY = 5000  # place ids per snippet query (SQLite's variable limit)
FILTER_KEYS = {"from", "to", "datefield", "q", "broad", *LIST_KEYS.values()}


@dataclass(frozen=True)
class InlineAssets(AssetUrls):
    """Asset "URLs" that carry the files themselves (``data:`` URLs)."""

    def url(self, name: str) -> str:
        path = _sources()[name]
        mime = {".js": "text/javascript", ".geojson": "application/json"}.get(
            path.suffix, mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


# -- options ---------------------------------------------------------------------------

def dashboard_base_url(value: str) -> str:
    """``value`` checked as the absolute http(s) URL of a hosted dashboard (no query);
    returned without a trailing slash. Raises ``ValueError`` with the reason."""
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL (e.g. http://example.org/atlas)")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: give the dashboard's address without ?query or #part")
    return url.rstrip("/")


def filters_from_query(value: str) -> tuple[Filters, list[str]]:
    """Filters from a dashboard link or its query string (``actor=X&from=2023-09-01``),
    and the names of the keys that are not filters (ignored)."""
    query = value.split("?", 1)[1] if "?" in value else value.lstrip("?")
    params = parse_qs(query.split("#", 1)[0], keep_blank_values=False)
    unknown = sorted(k for k in params if k not in FILTER_KEYS)
    return filters_from_params(params), unknown


def describe_filters(f: Filters) -> str:
    """The filters in words, for the page's heading ("all mentions" when none)."""
    parts = []
    field = "passage date" if f.date_field == "passage" else "published"
    if f.date_from and f.date_to:
        parts.append(f"{field} {f.date_from} to {f.date_to}")
    elif f.date_from:
        parts.append(f"{field} from {f.date_from}")
    elif f.date_to:
        parts.append(f"{field} until {f.date_to}")
    for name, label in (("actors", "actor"), ("sources", "source"),
                        ("countries", "country"), ("kinds", "kind")):
        values = getattr(f, name)
        if values:
            parts.append(f"{label}{'s' if len(values) > 1 else ''}: {', '.join(values)}")
    if f.text.strip():
        parts.append(f"text “{f.text.strip()}”")
    if not f.include_broad:
        parts.append("without countries and demonyms")
    return "; ".join(parts) if parts else "all mentions"


# -- links -------------------------------------------------------------------------------

def in_file_links() -> tuple[Callable[..., str], Callable[[str], str]]:
    """``(reader_href, place_href)`` to the passage and place sections of the file."""
    return (lambda article_id, passage_id, place_id=None:
            "#" + quote(f"passage-{passage_id}", safe=""),
            lambda place_id: "#" + quote(f"place-{place_id}", safe=""))


def dashboard_links(base_url: str, f: Filters
                    ) -> tuple[Callable[..., str], Callable[[str], str]]:
    """``(reader_href, place_href)`` as absolute URLs into the dashboard at ``base_url``
    (``base_url/articles?article=..&passage=..&place=..``, keeping the filters), as the
    dashboard's own popups link: the reader sets apart the place the popup was about."""
    base = dashboard_base_url(base_url)
    reader = link_maker("", "articles", f, "article", "passage", "place")
    place = link_maker("", "places", f, "place")
    return (lambda article_id, passage_id, place_id=None:
            base + reader(article_id, passage_id, place_id),
            lambda place_id: base + place(place_id))


# -- the parts of the page ---------------------------------------------------------------

def snippets_for(store: Store, f: Filters, place_ids: list[str],
                 per_place: int = PER_PLACE) -> pd.DataFrame:
    """:func:`geo.query.place_snippets` for every place, in chunks of ids."""
    frames = [place_snippets(store, f, place_ids[i:i + IDS_PER_QUERY], per_place=per_place)
              for i in range(0, len(place_ids), IDS_PER_QUERY)]
    frames = [x for x in frames if len(x)]
    return pd.concat(frames, ignore_index=True) if frames else place_snippets(store, f, [])


def more_note(total: int, shown: int, *, in_file: bool) -> str:
    """"and K more" under a place's passages (empty when all are shown)."""
    rest = max(0, total - shown)
    if not rest:
        return ""
    where = " (not in this file)" if in_file else ""
    return f'<div class="na-more">and {rest} more mention{"s" if rest > 1 else ""}{where}</div>'


def add_more_notes(data: dict, places: pd.DataFrame, snippets: pd.DataFrame, *,
                   in_file: bool) -> dict:
    """Append "and K more" to the popups of :func:`geo.maps.marker_data` ``data``."""
    shown = snippets.groupby("place_id").size().to_dict() if len(snippets) else {}
    total = dict(zip(places["place_id"].astype(str), places["mentions"].astype(int)))
    for i, place_id in enumerate(data["id"]):
        note = more_note(total.get(place_id, 0), shown.get(place_id, 0), in_file=in_file)
        if note:
            data["snips"][i] = data["snips"].get(i, "") + note
    return data


def place_section(place: dict, snips: list[dict], reader_href) -> str:
    """A place's passages in the file (hidden until its "All N mentions" link is
    followed): the snippets, each linking to its passage in the article."""
    items = []
    for s in snips:
        src = " · ".join(esc(x) for x in (s["source"], (s["published"] or "")[:10]) if x)
        items.append(
            f'<li><div class="na-snip">{s["snippet_html"]}</div>'
            f'<a href="{esc(reader_href(s["article_id"], s["passage_id"]))}">'
            f'{esc(s["title"] or "(untitled)")}</a> <span class="na-src">{src}</span></li>')
    n, arts = int(place["mentions"]), int(place["articles"])
    meta = " · ".join(esc(x) for x in (place["kind"], place["country_code"]) if x)
    return (f'<section class="na-place" id="{esc("place-" + str(place["place_id"]))}" hidden>'
            f'<h2>{esc(place["name"])}</h2><p class="na-src">{meta} · {n} mention'
            f'{"s" if n != 1 else ""} in {arts} article{"s" if arts != 1 else ""}</p>'
            f'<ol class="na-list">{"".join(items)}</ol>'
            f'{more_note(n, len(snips), in_file=True)}</section>')


def article_section(store: Store, article_id: str, place_href) -> str:
    """One article, every passage escaped with its mentions marked (hidden until a link
    to one of its passages is followed); empty when the store lacks it."""
    view = article_view(store, article_id, place_href=place_href,
                        actor_href=lambda name: None)
    if view is None:
        return ""
    meta = " · ".join(esc(x) for x in (view.source, (view.published or "")[:10]) if x)
    original = external_link(view.url, "original article") if view.url else ""
    passages = "".join(
        f'<p class="na-passage" id="{esc("passage-" + p.id)}" tabindex="-1">{p.html}</p>'
        for p in view.passages)
    return (f'<section class="na-article" id="{esc("article-" + view.id)}" hidden>'
            f'<h2 class="na-title">{esc(view.title or "(untitled)")}</h2>'
            f'<p class="na-src">{meta}{" · " + original if original else ""}</p>'
            f'{passages}</section>')


def reader_panel(sections: list[str]) -> str:
    """The in-file reader: a panel over the map showing one section at a time."""
    return ('<aside id="na-reader" class="na-reader" hidden aria-live="polite">'
            '<a class="na-close" href="#" title="Back to the map">&times; close</a>'
            '<p id="na-missing" class="na-src" hidden>That is not in this file (it is'
            ' outside the exported filters).</p>'
            f'<div id="na-reader-body">{"".join(sections)}</div></aside>')


class _Script(MacroElement):
    """Ready JavaScript, put in the page's script where the element is rendered."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.text }}{% endmacro %}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


@dataclass(frozen=True)
class ExportedMap:
    """The page and what it shows."""

    html: str
    places: int
    mentions: int
    articles: int


@dataclass(frozen=True)
class MapContent:
    """What the page shows: the place table, the passages its popups carry, the marker
    columns (:func:`geo.maps.marker_layers_data`, with "and K more"), and the links."""

    places: pd.DataFrame
    snippets: pd.DataFrame
    markers: dict[str, dict]
    reader_href: Callable[..., str]
    place_href: Callable[[str], str]
    in_file: bool


def map_content(store: Store, f: Filters, *, base_url: str | None = None,
                per_place: int = PER_PLACE) -> MapContent:
    """Every place passing ``f``, each with its latest ``per_place`` passages; links into
    the file, or into the dashboard at ``base_url``."""
    places = place_table(store, f)
    snippets = snippets_for(store, f, places["place_id"].astype(str).tolist(), per_place)
    in_file = not base_url
    reader_href, place_href = in_file_links() if in_file else dashboard_links(base_url, f)
    markers = maps.marker_layers_data(places, snippets, reader_href=reader_href,
                                      place_href=place_href)
    for part in markers.values():
        add_more_notes(part, places, snippets, in_file=in_file)
    return MapContent(places, snippets, markers, reader_href, place_href, in_file)


def library_sections(store: Store, content: MapContent) -> list[str]:
    """The hidden sections the in-file links open: one per place (its passages), one
    per article that a popup cites (the whole article)."""
    by_place: dict[str, list[dict]] = {}
    for snip in maps._records(content.snippets):
        by_place.setdefault(str(snip["place_id"]), []).append(snip)
    sections = [place_section(row, by_place.get(str(row["place_id"]), []),
                              content.reader_href)
                for row in maps._records(content.places)]
    for article_id in dict.fromkeys(content.snippets["article_id"].astype(str)):
        sections.append(article_section(store, article_id, content.place_href))
    return sections


def page_heading(store_name: str, f: Filters, content: MapContent, when: str,
                 base_url: str | None) -> tuple[str, str]:
    """The page's ``<title>`` text (unescaped) and its visible heading (HTML)."""
    label, what = store_name or "News Atlas store", describe_filters(f)
    n, mentions = len(content.places), int(content.places["mentions"].sum())
    title = f"News Atlas map: {label} ({what}), exported {when}"
    heading = (f'<header class="na-head"><h1>News Atlas map: {esc(label)}</h1>'
               f"<p>{esc(what)} · {n} place{'s' if n != 1 else ''},"
               f" {mentions} mention{'s' if mentions != 1 else ''} · exported {esc(when)}"
               f"{' · links open the dashboard at ' + esc(base_url) if base_url else ''}"
               "</p></header>")
    return title, heading


def frame_places(m, places: pd.DataFrame) -> None:  # noqa: ANN001 (folium.Map)
    """Open the map on the specific places (all places when there are none)."""
    shown = places[~places["broad"]] if (~places["broad"]).any() else places
    if len(shown):
        m.fit_bounds([[float(shown["lat"].min()), float(shown["lon"].min())],
                      [float(shown["lat"].max()), float(shown["lon"].max())]],
                     padding=(30, 30), max_zoom=8)


def standalone_map_html(store: Store, *, filters: Filters | None = None,
                        base_url: str | None = None, store_name: str = "",
                        per_place: int = PER_PLACE,
                        exported_at: datetime | None = None) -> ExportedMap:
    """The whole map page (see the module's docstring)."""
    f = filters or Filters()
    assets = InlineAssets(base="inline")
    content = map_content(store, f, base_url=base_url, per_place=per_place)
    # the basemap's lighter files, and the first-level lines of the cells with places
    m = maps.base_map(assets, basemap=layers_holding(
        zip(content.places["lat"], content.places["lon"])))
    groups = maps.layers_from_data(content.markers, content.places, assets=assets,
                                   heat=True)
    by_name = {g.layer_name: g for g in groups}
    heat = by_name.get("Heat map")
    if heat is not None:
        heat.show = False  # off until the legend's switch turns it on
    for g in groups:
        g.add_to(m)
    frame_places(m, content.places)

    when = (exported_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    title, heading = page_heading(store_name, f, content, when, base_url)
    fig = m.get_root()
    fig.title = esc(title)
    css = (PAGE_FILES / "page.css").read_text(encoding="utf-8")
    fig.header.add_child(Element(maps.LEGEND_CSS + f"<style>\n{css}</style>"),
                         name="news_atlas_export_css")
    sections = library_sections(store, content) if content.in_file else []
    # the body: heading first, the map (folium's div), then legend and reader panel
    fig.html.add_child(Element(heading), name="na_heading", index=0)
    fig.html.add_child(Element(legend_html("na-heat-toggle" if heat is not None else None)
                               + (reader_panel(sections) if content.in_file else "")),
                       name="na_overlays")
    # a child of the map, added last: its script runs after the layers exist
    layers = {"places": by_name["Places"].get_name(),
              "broad": by_name["Countries & demonyms"].get_name(),
              "heat": heat.get_name() if heat is not None else "null"}
    m.add_child(_Script((PAGE_FILES / "reader.js").read_text(encoding="utf-8")
                        + f"naExportPage({m.get_name()}, {{places: {layers['places']},"
                        f" broad: {layers['broad']}, heat: {layers['heat']}}});\n"),
                name="na_reader_js")
    return ExportedMap(fig.render(), len(content.places),
                       int(content.places["mentions"].sum()),
                       int(content.snippets["article_id"].nunique()))
