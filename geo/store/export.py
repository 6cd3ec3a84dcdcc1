"""Read queries behind ``python -m geo export`` (the store is the only SQL speaker)."""
from __future__ import annotations

import json
from typing import Any, Iterator

from geo.store import Store
from geo.store.queries import PLACE_COUNTS_SQL


def place_features(store: Store) -> Iterator[dict[str, Any]]:
    """One GeoJSON Feature per resolved place, with its mention and article counts
    (counted as the dashboard counts them: ``queries.PLACE_COUNTS_SQL``)."""
    rows = store.conn.execute(
        f"""SELECT p.id, p.name, p.lat, p.lon, p.kind, p.country_code, p.population,
                  {PLACE_COUNTS_SQL}
           FROM places p JOIN place_mentions pm ON pm.place_id = p.id
           GROUP BY p.id ORDER BY mentions DESC, p.name""")
    for r in rows:
        props = {k: r[k] for k in r.keys() if k not in ("lat", "lon")}
        yield {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
               "properties": props}


MENTION_COLUMNS = ["article_id", "title", "published", "source", "url", "passage_id",
                   "start", "end", "mention", "kind", "place_id", "place_name", "lat",
                   "lon", "place_kind", "country_code", "score", "rule"]


def mention_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Every place and demonym mention with its article and resolved place (not those
    a user marked "not a place")."""
    rows = store.conn.execute(
        """SELECT a.id AS article_id, a.title, a.published, a.source, a.url, m.passage_id,
                  m.start, m."end", m.text AS mention, m.kind, m.place_id,
                  p.name AS place_name, p.lat, p.lon, p.kind AS place_kind,
                  p.country_code, m.score, m.rule
           FROM place_mentions m JOIN articles a ON a.id = m.article_id
           LEFT JOIN places p ON p.id = m.place_id
           WHERE NOT (m.correction_id IS NOT NULL AND m.place_id IS NULL)
           ORDER BY a.published, a.id, m.start""")
    for r in rows:
        yield dict(r)


def article_records(store: Store) -> Iterator[dict[str, Any]]:
    """Each article with its passages, place mentions and actor mentions."""
    c = store.conn
    for a in c.execute("SELECT * FROM articles ORDER BY published, id").fetchall():
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
