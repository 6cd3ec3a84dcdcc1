"""Articles: the list of articles, or the reader with highlighted, linked mentions."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

import dashboard_manage as manage
import dashboard_ui as ui
from geo.render import esc, external_link
from geo.urlstate import map_url

ui.require_router()

view = ui.url_view()
f = ui.current_filters()
# ``place``: the place whose popup linked here; its mention in the passage stands out
ui.sync_url(ui.current_view(article=view.article, passage=view.passage, place=view.place))
base = ui.base_path()

if not view.article:
    st.title("Articles")
    manage.flash()
    ui.article_table(ui.articles(ui.db_url(), ui.revision(), f), f)
    manage.download_buttons(f, ("jsonl",))
    st.stop()

article = ui.article_view(
    view.article,
    place_href=lambda pid: map_url(base, place=pid, filters=f),
    actor_href=lambda name: map_url(base, filters=replace(f, actors=(name,))),
    pointed=(view.passage, view.place) if view.passage and view.place else None,
    fix_href=ui.fix_href(ui.db_url(), base, f))
if article is None:
    st.warning("This article is not in the store.")
    st.stop()

st.html(ui.READER_CSS)
manage.flash()  # (a deletion that failed says why here)
ui.heading(article.title or "Untitled article", css="na-title")
meta = [esc(x) for x in (article.source, article.published) if x]
if article.url:
    meta.append(external_link(article.url, "original article"))
ui.html(f"<p class='na-meta'>{' · '.join(meta)}</p>")
manage.delete_controls(article.id, article.title, len(article.passages))
for p in article.passages:
    current = " na-current" if p.id == view.passage else ""
    date = f"<span class='na-date'>speaks of {esc(p.date)}</span>" if p.date else ""
    ui.html(f"<div class='na-passage{current}' id='{esc(p.id)}'>{p.html}{date}</div>")
if view.passage and any(p.id == view.passage for p in article.passages):
    ui.scroll_to(view.passage)
