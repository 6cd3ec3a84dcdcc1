"""What a store holds of each article's analysis, to compare two ingests article for
article: place mentions (span, text, kind, the place and its coordinates, rule, score)
and actor mentions (span, text, the actor's name and kind)."""
from __future__ import annotations

import sqlite3


def stored_analysis(db: str) -> dict[str, tuple[list[tuple], list[tuple]]]:
    conn = sqlite3.connect(db)
    try:
        out = {}
        for (aid,) in conn.execute("SELECT id FROM articles ORDER BY id"):
            places = conn.execute(
                'SELECT m.start, m."end", m.text, m.kind, m.place_id, p.lat, p.lon, m.rule,'
                " m.score FROM place_mentions m LEFT JOIN places p ON p.id = m.place_id"
                ' WHERE m.article_id = ? ORDER BY m.start, m."end", m.kind', (aid,)).fetchall()
            actors = conn.execute(
                'SELECT m.start, m."end", m.text, a.name, a.kind FROM actor_mentions m'
                " JOIN actors a ON a.id = m.actor_id WHERE m.article_id = ?"
                ' ORDER BY m.start, m."end"', (aid,)).fetchall()
            out[aid] = (places, actors)
        return out
    finally:
        conn.close()
