"""DataFrames for the dashboard and exports, computed from the store under :class:`Filters`.

No Streamlit here: the UI calls these (and caches them, keyed by the filter values).
The place table, the snippets and the timeline are aggregated by SQL, or, given a
``selection`` (:meth:`geo.mention_index.MentionIndex.select` of the same filters), from
the in-memory index; the filters mean the same either way (one definition,
:func:`geo.store.queries.conditions`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import pandas as pd

from geo.mention_index import Selection
from geo.render import Span, highlight_html, snippet_html
from geo.store import Store
from geo.store import queries as q
from geo.store.filters import DateField, Filters  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

MAX_SEARCH_CHARS = q.MAX_SEARCH_CHARS  # the longest text search (longer ones are cut)

PLACE_COLUMNS = ["place_id", "name", "lat", "lon", "kind", "country_code", "feature_code",
                 "mentions", "demonym_mentions", "articles", "score", "rules", "others",
                 "broad"]  # then region (:func:`_with_regions`)
COUNT_HELP = ("A place's mentions: each time an article under the filters names it, or uses"
              " a demonym resolved to it (\"North Korean\" counts for North Korea). The"
              " map, the tables and every export count this way.")
SNIPPET_COLUMNS = ["place_id", "article_id", "passage_id", "title", "published", "source",
                   "mention", "score", "rule", "mention_id", "snippet_html"]


@dataclass(frozen=True)
class FilterOptions:
    """The values the filter widgets offer, read from the store."""

    actors: list[str]
    sources: list[str]
    countries: list[str]
    kinds: list[str]
    date_min: str | None
    date_max: str | None


def missing_as_none(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text column as Python objects, a missing value as ``None``.

    pandas stores a missing text (an undated article's date, a title, a source, a
    country) as the float NaN, which formatting code cannot slice, join or test for
    truth; every frame this module returns goes through here, so the UI and the maps
    only ever see ``None``. Numeric columns keep NaN.
    """
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            values = values.astype(object)
            df[col] = values.where(values.notna(), None)
    return df


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=columns)
    return missing_as_none(
        pd.DataFrame([tuple(r) for r in rows], columns=list(rows[0].keys()))[columns])


def filter_options(store: Store) -> FilterOptions:
    lo, hi = q.date_bounds(store.conn)
    return FilterOptions(
        actors=[r["name"] for r in q.all_actors(store.conn)],
        sources=q.distinct_values(store.conn, "source"),
        countries=q.distinct_values(store.conn, "country_code"),
        kinds=q.distinct_values(store.conn, "kind"),
        date_min=lo, date_max=hi,
    )


def countries_in(places: pd.DataFrame) -> list[str]:
    """The distinct country codes of ``places`` (a :func:`place_table`), in code order."""
    return sorted({c for c in places["country_code"].tolist() if isinstance(c, str) and c})


def stale_values(f: Filters, opts: FilterOptions) -> dict[str, list[str]]:
    """The values ``f`` (from a shared link) names that the store does not hold, by
    filter: ``{"actor": [...], "source": [...], "country": [...], "place type": [...]}``
    (only filters with such values)."""
    wanted = {"actor": (f.actors, opts.actors), "source": (f.sources, opts.sources),
              "country": (f.countries, opts.countries), "place type": (f.kinds, opts.kinds)}
    out = {}
    for label, (values, known) in wanted.items():
        missing = [v for v in values if v not in set(known)]
        if missing:
            out[label] = missing
    return out


def brushed_dates(selection: dict | None, *, field: str = "day") -> tuple[str, str] | None:
    """The days (ISO) a brush over the timeline spans: Vega-Lite gives an interval on a
    temporal axis as epoch milliseconds (``{"day": [start_ms, end_ms]}``). None when
    nothing is brushed."""
    from datetime import datetime, timezone

    values = (selection or {}).get(field)
    if not values or len(values) != 2:
        return None
    try:
        days = sorted(datetime.fromtimestamp(float(v) / 1000, tz=timezone.utc).date()
                      for v in values)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return days[0].isoformat(), days[1].isoformat()


def empty_message(f: Filters, opts: FilterOptions) -> str:
    """What to say when nothing passes ``f``: the dates asked for and the dates the
    store has articles for, or that the store is empty."""
    if not (opts.date_min and opts.date_max):
        return "No mentions under these filters (the store's articles have no dates)."
    have = f"the store has articles from {opts.date_min} to {opts.date_max}"
    others = replace(f, date_from=None, date_to=None, date_field="published") != Filters()
    where = " under the other filters" if others else ""
    if f.date_from or f.date_to:
        asked = (f"on {f.date_from}" if f.date_from == f.date_to
                 else f"between {f.date_from} and {f.date_to}" if f.date_from and f.date_to
                 else f"from {f.date_from} on" if f.date_from else f"up to {f.date_to}")
        return f"No mentions {asked}{where}; {have}."
    return f"No mentions under these filters; {have}."


def place_table(store: Store, f: Filters, *, selection: Selection | None = None,
                limit: int | None = None, bounds: dict | None = None) -> pd.DataFrame:
    """One row per place passing ``f``: coordinates, kind, country, mention counts,
    mean resolution score, the rules that chose it, and whether it is country level.
    Most mentioned first (then by name); only the first ``limit`` rows, and with
    ``bounds`` (Leaflet's, as :func:`places_in_bounds`) only the places inside them.
    From ``selection`` when given: then only the rows returned are made."""
    if selection is None:
        df = _frame(q.place_counts(store.conn, f), PLACE_COLUMNS)
        if bounds is not None:
            df = places_in_bounds(df, bounds).reset_index(drop=True)
        df = df.head(limit) if limit is not None else df
    else:
        index = selection.index
        inside = None if bounds is None else _inside(index.places["lat"],
                                                     index.places["lon"], bounds)
        within = None if inside is None else inside.to_numpy(dtype=bool)
        df = index.place_counts(selection.mask, limit=limit, within=within)[PLACE_COLUMNS]
    df["broad"] = df["broad"].astype(bool)
    df["score"] = df["score"].astype(float).round(3)
    return missing_as_none(_with_regions(store, df))


@dataclass(frozen=True)
class PlaceSummary:
    """What the map says of every place passing a filter, without listing them: how
    many places and mentions, their countries, and the box that frames them."""

    places: int
    mentions: int
    countries: tuple[str, ...]  # in code order
    bounds: list[list[float]] | None  # [[south, west], [north, east]], as data_bounds


def place_summary(store: Store, f: Filters, *, selection: Selection | None = None,
                  bounds: dict | None = None) -> PlaceSummary:
    """:class:`PlaceSummary` of the places passing ``f`` (with ``bounds``, of those
    inside them). From ``selection`` when given: no per-place row is made."""
    if selection is None:
        df = place_table(store, f, bounds=bounds)
    else:
        df = selection.index.passing_places(selection.mask)
        if bounds is not None:
            df = places_in_bounds(df, bounds)
    return PlaceSummary(places=len(df), mentions=int(df["mentions"].sum()),
                        countries=tuple(countries_in(df)), bounds=data_bounds(df))


def data_bounds(places: pd.DataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around the specific places (all places when
    there are none), or None when there is nothing to frame."""
    if not len(places):
        return None
    specific = places[~places["broad"].astype(bool)] if "broad" in places else places
    shown = specific if len(specific) else places
    shown = shown[shown["lat"].notna() & shown["lon"].notna()]
    if not len(shown):
        return None
    return [[float(shown["lat"].min()), float(shown["lon"].min())],
            [float(shown["lat"].max()), float(shown["lon"].max())]]


# the rules whose reason is a state or province the article names: the popup names it
REGION_RULES = ("document region", "same passage")


def _with_regions(store: Store, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with ``region``: for a place chosen because the article names the state or
    province it is in (:data:`REGION_RULES`), that region's name ("Ohio"), else None."""
    rules = df["rules"].fillna("").astype(str)
    need = df.loc[rules.str.contains("|".join(REGION_RULES), regex=True), "place_id"]
    names = dict(q.containing_regions(store.conn, need.tolist())) if len(need) else {}
    df["region"] = df["place_id"].map(names).astype(object)
    df.loc[df["region"].isna(), "region"] = None
    return df


def place_snippets(store: Store, f: Filters, place_ids: list[str], *,
                   per_place: int = 3, width: int = 90,
                   selection: Selection | None = None) -> pd.DataFrame:
    """The latest stored passages (``per_place`` each) mentioning the places, as snippets
    with the mention highlighted (escaped: safe to put in a popup)."""
    if selection is None:
        rows = q.place_passages(store.conn, f, place_ids, per_place=per_place)
    else:
        ids = selection.index.latest_mentions(selection.mask, place_ids, per_place=per_place)
        rows = q.mention_rows(store.conn, ids)
    records = []
    for r in rows:
        rec = {k: r[k] for k in SNIPPET_COLUMNS if k != "snippet_html"}
        rec["snippet_html"] = snippet_html(r["passage"], r["rel_start"], r["rel_end"],
                                           width=width)
        records.append(rec)
    return missing_as_none(pd.DataFrame(records, columns=SNIPPET_COLUMNS))


def timeline(store: Store, f: Filters, *, by: DateField | None = None,
             selection: Selection | None = None) -> pd.DataFrame:
    """Mentions per day (``day`` as datetime, ``mentions``), by ``by`` or ``f.date_field``."""
    if selection is None:
        df = _frame(q.timeline(store.conn, f, by=by or f.date_field), ["day", "mentions"])
    else:
        days, counts = selection.index.timeline(selection.mask, by=by or f.date_field)
        df = pd.DataFrame({"day": days, "mentions": counts})
    df["day"] = pd.to_datetime(df["day"], errors="coerce", format="ISO8601")
    return df.dropna(subset=["day"]).reset_index(drop=True)


def actor_table(store: Store, f: Filters, *, limit: int | None = None) -> pd.DataFrame:
    """Actors named in the passages whose places pass ``f``, most mentioned first (the
    first ``limit``, with one)."""
    return _frame(q.actor_counts(store.conn, f, limit=limit),
                  ["name", "kind", "mentions", "articles"])


def article_table(store: Store, f: Filters, *, limit: int = 500) -> pd.DataFrame:
    """Articles with a mention passing ``f``, newest first (the first ``limit``)."""
    return _frame(q.article_rows(store.conn, f, limit=limit),
                  ["id", "title", "source", "published", "url", "mentions"])


def place_details(store: Store, place_id: str) -> dict | None:
    row = q.place(store.conn, place_id)
    return dict(row) if row else None


@dataclass
class PassageView:
    id: str
    index: int
    date: str | None
    html: str  # escaped text with mentions highlighted / linked
    places: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)


@dataclass
class ArticleView:
    id: str
    title: str | None
    url: str | None
    source: str | None
    published: str | None
    passages: list[PassageView]


def article_view(store: Store, article_id: str, *, place_href, actor_href,
                 pointed: tuple[str, str] | None = None, fix_href=None
                 ) -> ArticleView | None:
    """An article ready for the reader: each passage's text escaped, with its place and
    actor mentions highlighted and linked (``place_href(place_id)``, ``actor_href(name)``
    give the link targets). ``pointed`` (passage id, place id): the mentions of that
    place in that passage (the ones a popup pointed at) get the extra class
    ``pointed``. ``fix_href(mention_id)``: each place mention is followed by a small
    link to correct it. A mention a user marked "not a place" has the class
    ``notplace``."""
    art = q.article(store.conn, article_id)
    if art is None:
        return None
    spans: dict[str, list[Span]] = {}
    names: dict[str, tuple[list[str], list[str]]] = {}
    plist = q.passages(store.conn, article_id)
    starts = {p["id"]: p["start"] for p in plist}
    for m in q.article_place_mentions(store.conn, article_id):
        if m["passage_id"] not in starts:
            continue
        off = starts[m["passage_id"]]
        resolved = m["place_id"] is not None
        title = (f"{m['place_name']} ({m['place_kind'] or '-'}, {m['country_code'] or '-'},"
                 f" score {m['score'] or 0:.2f})" if resolved
                 else "not a place (a user's correction)" if m["not_place"]
                 else "unresolved place")
        css = f"place {m['kind']}" + (" notplace" if m["not_place"] else "") + (
            " pointed" if pointed == (m["passage_id"], m["place_id"]) else "")
        spans.setdefault(m["passage_id"], []).append(Span(
            m["start"] - off, m["end"] - off, css,
            place_href(m["place_id"]) if resolved else None, title,
            fix_href(m["id"]) if fix_href is not None else None))
        if resolved:
            names.setdefault(m["passage_id"], ([], []))[0].append(m["place_name"])
    for m in q.article_actor_mentions(store.conn, article_id):
        if m["passage_id"] not in starts:
            continue
        off = starts[m["passage_id"]]
        spans.setdefault(m["passage_id"], []).append(Span(
            m["start"] - off, m["end"] - off, "actor", actor_href(m["name"]),
            f"{m['name']} ({m['kind'] or '-'})"))
        names.setdefault(m["passage_id"], ([], []))[1].append(m["name"])
    views = [PassageView(
        id=p["id"], index=p["idx"], date=p["date"],
        html=highlight_html(p["text"], spans.get(p["id"], [])),
        places=list(dict.fromkeys(names.get(p["id"], ([], []))[0])),
        actors=list(dict.fromkeys(names.get(p["id"], ([], []))[1])),
    ) for p in plist]
    return ArticleView(id=art["id"], title=art["title"], url=art["url"], source=art["source"],
                       published=art["published"], passages=views)


def places_in_bounds(places: pd.DataFrame, bounds: dict | None) -> pd.DataFrame:
    """The rows of ``places`` inside Leaflet ``bounds`` (``_southWest``/``_northEast``)."""
    inside = _inside(places["lat"], places["lon"], bounds)
    return places if inside is None else places[inside]


def _inside(lat: pd.Series, lon: pd.Series, bounds: dict | None) -> pd.Series | None:
    """Whether each point lies inside Leaflet ``bounds``; None when ``bounds`` is not
    a box (everything is inside)."""
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        south, west, north, east = (float(sw["lat"]), float(sw["lng"]),
                                    float(ne["lat"]), float(ne["lng"]))
    except (TypeError, KeyError, ValueError):
        return None
    inside_lat = lat.between(south, north)
    if east - west >= 360:
        inside_lon = lon.notna()
    else:
        west, east = ((west + 180) % 360) - 180, ((east + 180) % 360) - 180
        inside_lon = (lon.between(west, east) if west <= east
                      else (lon >= west) | (lon <= east))
    return inside_lat & inside_lon
