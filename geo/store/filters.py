"""What a visitor chose to see: the filters every store query and the UI share.

It lives beside the queries that read it (:mod:`geo.store.queries`,
:mod:`geo.mention_index`) so that they need nothing from :mod:`geo.query` above them;
``geo.query`` re-exports it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DateField = Literal["published", "passage"]


@dataclass(frozen=True)
class Filters:
    """What the user chose to see. Hashable, so the UI can key its cache on it.

    ``date_field`` says whether the date range applies to the publication date or to
    the date a passage speaks of (falling back to the publication date). A place passes
    the actor filter when a passage that mentions it also mentions a selected actor.
    ``include_broad`` keeps demonyms and country-level places.
    """

    date_from: str | None = None
    date_to: str | None = None
    date_field: DateField = "published"
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    text: str = ""
    include_broad: bool = True
