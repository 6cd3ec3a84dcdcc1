"""Read queries behind the exports (``python -m geo export`` and the dashboard's download
buttons; the store is the only SQL speaker).

Every query takes the dashboard's :class:`~geo.query.Filters` and selects what the map
shows under them (:func:`geo.store.queries.where_for`): the resolved place and demonym
mentions passing the filters, counted as the dashboard counts them.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterator

from geo.store import Store
from geo.store.dialect import JSON_NAMES
from geo.store.queries import PLACE_COUNTS_SQL, dialect_of, where_for

if TYPE_CHECKING:
    from geo.query import Filters


def _filters(f: Filters | None) -> Filters:
    from geo.query import Filters

    return f or Filters()


def place_features(store: Store, f: Filters | None = None) -> Iterator[dict[str, Any]]:
    """One GeoJSON Feature per place passing ``f``, with its mention and article counts
    (counted as the dashboard counts them: ``queries.PLACE_COUNTS_SQL``)."""
    w = where_for(_filters(f), dialect_of(store.conn))
    rows = store.conn.execute(
        f"""SELECT pl.id, pl.name, pl.lat, pl.lon, pl.kind, pl.country_code, pl.population,
                  {PLACE_COUNTS_SQL}
           FROM place_mentions pm{w.joins()}{w.sql()}
           GROUP BY pl.id ORDER BY mentions DESC, pl.name""", w.params)
    for r in rows:
        props = {k: r[k] for k in r.keys() if k not in ("lat", "lon")}
        yield {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
               "properties": props}


# the columns of the mentions CSV, in order (the GeoJSON of mentions has the same
# properties, but ``lat``/``lon`` in its geometry and ``actors`` as a list)
MENTION_COLUMNS = ["article_id", "title", "published", "source", "url", "passage_id",
                   "passage_date", "start", "end", "mention", "kind", "place_id",
                   "place_name", "lat", "lon", "place_kind", "country_code", "score", "rule",
                   "actors", "passage"]


def mention_rows(store: Store, f: Filters | None = None) -> Iterator[dict[str, Any]]:
    """Every place and demonym mention passing ``f`` with its article, passage (date and
    text; ``start``/``end`` are offsets into the article's text), resolved place, score
    and rule, and ``actors``: the canonical names of the actors its passage names (a
    list, in name order). Ordered by publication date, article, offset."""
    w = where_for(_filters(f), dialect_of(store.conn))
    rows = store.conn.execute(
        f"""SELECT a.id AS article_id, a.title, a.published, a.source, a.url, pm.passage_id,
                  p.date AS passage_date, pm.start, pm."end", pm.text AS mention, pm.kind,
                  pm.place_id, pl.name AS place_name, pl.lat, pl.lon, pl.kind AS place_kind,
                  pl.country_code, pm.score, pm.rule,
                  (SELECT {JSON_NAMES[dialect_of(store.conn)]} FROM (SELECT DISTINCT ac.name
                       FROM actor_mentions am JOIN actors ac ON ac.id = am.actor_id
                       WHERE am.passage_id = pm.passage_id ORDER BY ac.name) names) AS actors,
                  p.text AS passage
           FROM place_mentions pm{w.joins()} JOIN articles a ON a.id = pm.article_id
           LEFT JOIN passages p ON p.id = pm.passage_id{w.sql()}
           ORDER BY a.published, a.id, pm.start, pm.id""", w.params)
    for r in rows:
        row = dict(r)
        row["actors"] = json.loads(row["actors"] or "[]")
        yield row


def mention_features(store: Store, f: Filters | None = None) -> Iterator[dict[str, Any]]:
    """One GeoJSON Point Feature per mention of :func:`mention_rows`."""
    for row in mention_rows(store, f):
        lat, lon = row.pop("lat"), row.pop("lon")
        yield {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
               "properties": row}


def article_records(store: Store, f: Filters | None = None) -> Iterator[dict[str, Any]]:
    """Each article with its passages, place mentions and actor mentions: every article
    without filters, else those with a mention passing ``f`` (each whole)."""
    c, f = store.conn, _filters(f)
    from geo.query import Filters

    if f == Filters():
        articles = c.execute("SELECT * FROM articles ORDER BY published, id").fetchall()
    else:
        w = where_for(f, dialect_of(c))
        articles = c.execute(
            f"SELECT * FROM articles WHERE id IN (SELECT pm.article_id FROM place_mentions pm"
            f"{w.joins()}{w.sql()}) ORDER BY published, id", w.params).fetchall()
    for a in articles:
        rec = dict(a)
        rec["passages"] = [dict(r) for r in c.execute(
            'SELECT id, idx, start, "end", date FROM passages WHERE article_id = ? ORDER BY idx',
            (a["id"],))]
        rec["places"] = [dict(r) | {"alternatives": json.loads(r["alternatives"] or "[]")}
                         for r in c.execute(
            """SELECT m.start, m."end", m.text, m.kind, m.passage_id, m.place_id, p.name AS
                      place_name, p.lat, p.lon, m.score, m.rule, m.alternatives
               FROM place_mentions m LEFT JOIN places p ON p.id = m.place_id
               WHERE m.article_id = ? ORDER BY m.start""", (a["id"],))]
        rec["actors"] = [dict(r) for r in c.execute(
            """SELECT m.start, m."end", m.text, m.passage_id, x.name AS actor, x.kind
               FROM actor_mentions m JOIN actors x ON x.id = m.actor_id
               WHERE m.article_id = ? ORDER BY m.start""", (a["id"],))]
        yield rec
