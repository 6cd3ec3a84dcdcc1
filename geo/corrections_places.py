"""Place corrections: choose another candidate, set a point, or "not a place".

A place correction's ``new_value`` is ``{"place": {...}}``, the whole places row it
puts on the map (a gazetteer entry, or the user's point ``user:<n>`` with source
``user``), so it re-applies without the gazetteer and travels to another store with
its coordinates; "not a place" has ``new_value`` null. Its ``old_value`` is what the
mention showed when the user corrected it (``{"place", "score", "rule"}``).

A corrected mention gets the rule :data:`CORRECTED_RULE` and score 1; a mention marked
"not a place" keeps its row with no place (the map, the tables and the exports count
only mentions with a place, so it leaves them all alike).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from geo.corrections import Correction, Reach, Scope, TargetHandler, record, register
from geo.errors import CorrectionError
from geo.render import country_name, country_phrase, resolution_sentence, text
from geo.store import corrections as sql

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.models import GazetteerEntry
    from geo.store import Store

TARGET = "place"
CORRECTED_RULE = "corrected"
NOT_A_PLACE_RULE = "not a place"
USER_SOURCE = "user"  # the places table's source of a user's point
POINT_KINDS = ("city", "landmark", "region", "water", "admin1", "admin2", "country")


class PlaceAction(StrEnum):
    CHOOSE = "choose"          # another gazetteer entry (a candidate, or found by search)
    POINT = "point"            # the user's own point: a name and coordinates
    NOT_PLACE = "not_place"    # the mention is no place at all


# -- the handler ------------------------------------------------------------------------

def _reapply(store: "Store", reach: Reach) -> int:
    """Re-decide the place mentions in ``reach`` from the live corrections."""
    conn = store.conn
    restore: list[int] = []
    decide: dict[int, list[int]] = {}
    for row in sql.place_decisions(conn, reach):
        if row["winner"] is None:
            if row["correction_id"] is not None:
                restore.append(row["id"])
        elif row["winner"] != row["correction_id"]:
            decide.setdefault(row["winner"], []).append(row["id"])
    sql.restore_parser(conn, restore)
    for cid, mention_ids in decide.items():
        c = sql.row(conn, cid)
        place = (c["new_value"] or {}).get("place") if c["action"] != PlaceAction.NOT_PLACE \
            else None
        if place:
            sql.ensure_place(conn, place)
            sql.set_place(conn, mention_ids, place_id=place["id"], score=1.0,
                          rule=CORRECTED_RULE, correction_id=cid)
        else:
            sql.set_place(conn, mention_ids, place_id=None, score=None,
                          rule=NOT_A_PLACE_RULE, correction_id=cid)
    return len(restore) + sum(map(len, decide.values()))


def place_label(place: dict[str, Any] | None) -> str:
    """"Hassan (city, India)"; "no place" for none."""
    if not place:
        return "no place"
    where = ", ".join(x for x in (text(place.get("kind")),
                                  country_name(place.get("country_code"))) if x)
    return f"{text(place.get('name'))} ({where})" if where else text(place.get("name"))


def _describe(c: Correction) -> str:
    old = (c.old_value or {}).get("place") if isinstance(c.old_value, dict) else None
    was = f", was {place_label(old)}" if old else ""
    if c.action == PlaceAction.NOT_PLACE:
        return f"“{c.name}” is not a place{was}"
    place = (c.new_value or {}).get("place") or {}
    if c.action == PlaceAction.POINT:
        return (f"“{c.name}” is the point “{text(place.get('name'))}” at "
                f"{float(place['lat']):.4f}, {float(place['lon']):.4f}{was}")
    return f"“{c.name}” is {place_label(place)} [{place.get('id')}]{was}"


def _check_place(place: Any) -> dict[str, Any]:
    if not isinstance(place, dict) or not text(place.get("id")).strip() \
            or not text(place.get("name")).strip():
        raise CorrectionError("the new place needs an id and a name")
    try:
        lat, lon = float(place["lat"]), float(place["lon"])
    except (KeyError, TypeError, ValueError):
        raise CorrectionError(f"the place {place.get('name')!r} needs numeric lat and lon")\
            from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CorrectionError(f"coordinates out of range: {lat}, {lon} (latitude -90..90,"
                              " longitude -180..180)")
    return {**{k: place.get(k) for k in sql.PLACE_COLUMNS}, "lat": lat, "lon": lon,
            "kind": text(place.get("kind")) or "city",
            "population": int(place.get("population") or 0)}


def _prepare(store: "Store", c: Correction) -> Correction:
    """Check the new value; give a new point its ``user:<n>`` id (the id of the same
    point when the store has it already)."""
    if c.action == PlaceAction.NOT_PLACE:
        return replace(c, new_value=None)
    place = _check_place((c.new_value or {}).get("place") if isinstance(c.new_value, dict)
                         else None)
    if c.action == PlaceAction.POINT:
        same = sql.user_place_like(store.conn, place["name"], place["lat"], place["lon"])
        pid = same or f"{USER_SOURCE}:{sql.next_user_place_number(store.conn)}"
        place = {**place, "id": pid, "source": USER_SOURCE}
    return replace(c, new_value={"place": place})


def _identity(c: Correction) -> Any:
    place = (c.new_value or {}).get("place") if isinstance(c.new_value, dict) else None
    if not place:
        return None
    if c.action == PlaceAction.POINT:  # a point is its name and coordinates, not its id
        return (place.get("name"), round(float(place["lat"]), 6),
                round(float(place["lon"]), 6))
    return place.get("id")


register(TargetHandler(target=TARGET, actions=tuple(a.value for a in PlaceAction),
                       reapply=_reapply, describe=_describe, prepare=_prepare,
                       identity=_identity))


# -- making a correction from a mention ------------------------------------------------

def mention(store: "Store", mention_id: int) -> dict[str, Any] | None:
    """A place mention with its article, passage and what the geoparser chose."""
    return sql.mention(store.conn, mention_id)


def correct_mention(store: "Store", mention_id: int, action: PlaceAction | str, *,
                    scope: Scope | str = Scope.MENTION, place: dict | None = None,
                    author: str | None = None) -> Correction:
    """Record a correction of the place mention ``mention_id`` (a place row as a dict for
    ``choose`` and ``point``; see :func:`entry_place`, :func:`point_place`) in ``scope``,
    and apply it."""
    m = mention(store, mention_id)
    if m is None:
        raise CorrectionError(f"no place mention #{mention_id} in the store {store.path}")
    current = sql.place_row(store.conn, m["place_id"]) if m["place_id"] else None
    return record(store, Correction(
        target=TARGET, action=str(action), scope=Scope(scope), name=m["text"],
        article_id=m["article_id"] if scope in (Scope.MENTION, Scope.ARTICLE) else None,
        start=m["start"] if scope == Scope.MENTION else None,
        end=m["end"] if scope == Scope.MENTION else None,
        source=m["source"] if scope == Scope.SOURCE else None,
        old_value={"place": current, "score": m["score"], "rule": m["rule"]},
        new_value={"place": place} if place is not None else None, author=author))


def entry_place(entry: "GazetteerEntry") -> dict[str, Any]:
    """A gazetteer entry as the places row a correction carries."""
    raw = entry.as_raw()
    return {k: raw.get(k) for k in sql.PLACE_COLUMNS}


def point_place(name: str, lat: float, lon: float, *, kind: str = "city",
                country_code: str | None = None) -> dict[str, Any]:
    """The user's own point (its id is given when it is recorded)."""
    return {"id": f"{USER_SOURCE}:new", "name": name.strip(), "lat": float(lat),
            "lon": float(lon), "kind": kind, "country_code": (country_code or "").strip()
            .upper() or None, "source": USER_SOURCE, "population": 0}


def stored_place(store: "Store", place_id: str, gazetteer: "Gazetteer | None" = None
                 ) -> dict[str, Any] | None:
    """The places row ``place_id`` from the store (a candidate is stored with its
    mention), else from the gazetteer."""
    row = sql.place_row(store.conn, place_id)
    if row is None and gazetteer is not None:
        entry = gazetteer.get(place_id)
        row = entry_place(entry) if entry else None
    return row


# -- the candidates the resolver weighed, in words -------------------------------------

@dataclass(frozen=True)
class CandidateView:
    """A place the mention could be: the geoparser's choice or one it rejected."""

    place: dict[str, Any]
    score: float | None
    chosen_by_parser: bool
    shown: bool  # what the map shows for the mention now
    evidence: str


def place_facts(place: dict[str, Any]) -> str:
    """"A city in India, population 133,436"."""
    kind = text(place.get("kind")) or "place"
    country = country_phrase(place.get("country_code"))
    facts = f"{'An' if kind[:1] in 'aeiou' else 'A'} {kind}" + (f" in {country}" if country
                                                                  else "")
    if place.get("population"):
        facts += f", population {int(place['population']):,}"
    return facts


def candidates(store: "Store", m: dict[str, Any]) -> list[CandidateView]:
    """The geoparser's choice for the mention ``m`` and the candidates it rejected, each
    with its score and the evidence in plain words (best first)."""
    import json

    alts = json.loads(m["alternatives"] or "[]")
    corrected = m["correction_id"] is not None
    parser_id = m["parser_place_id"] if corrected else m["place_id"]
    parser_score = m["parser_score"] if corrected else m["score"]
    parser_rule = m["parser_rule"] if corrected else m["rule"]
    rows = sql.place_rows(store.conn, [x for x in [parser_id, *(a["id"] for a in alts)] if x])
    out = []
    if parser_id and parser_id in rows:
        place = rows[parser_id]
        why = resolution_sentence(parser_rule, others=len(alts),
                                  country_code=place.get("country_code"))
        out.append(CandidateView(place, parser_score, True, m["place_id"] == parser_id,
                                 f"{place_facts(place)}. {why}".strip()))
    for a in alts:
        place = rows.get(a["id"])
        if place is None:
            continue
        out.append(CandidateView(place, a.get("score"), False, m["place_id"] == a["id"],
                                 f"{place_facts(place)}. Weighed and not chosen: the"
                                 f" resolver gave it {float(a.get('score') or 0):.1%}."))
    return out


def search_gazetteer(gazetteer: "Gazetteer", name: str, *, country: str | None = None,
                     kind: str | None = None, limit: int = 25) -> list["GazetteerEntry"]:
    """Gazetteer entries called ``name`` (own or alternate name), optionally in one
    country (ISO code) and of one kind, most prominent first."""
    if not name.strip():
        return []
    country = (country or "").strip().upper() or None
    found = [e for e in gazetteer.lookup(name.strip())
             if (country is None or e.country_code == country) and (not kind or e.kind == kind)]
    return found[:limit]
