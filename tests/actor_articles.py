"""Hand-built analysed articles for the actor folding and correction tests (no model)."""
from __future__ import annotations

from geo.models import ActorMention, AnalyzedArticle, Article, Passage


def article(article_id: str, text: str, *actors: tuple[str, str, str]) -> AnalyzedArticle:
    """``text`` as one passage whose actor mentions are ``(surface, canonical, label)``,
    found in order in the text."""
    art = Article(id=article_id, text=text, title=f"Title {article_id}",
                  published="2023-09-12", source="Test")
    p = Passage(id=f"{article_id}-p0", article_id=article_id, index=0, start=0,
                end=len(text), text=text)
    mentions, at = [], 0
    for surface, canonical, label in actors:
        start = text.index(surface, at)
        at = start + len(surface)
        mentions.append(ActorMention(start=start, end=at, text=surface, label=label,
                                     passage_id=p.id, canonical=canonical))
    return AnalyzedArticle(article=art, passages=[p], actors=mentions)


def actor_counts(store) -> dict[tuple[str, str], int]:
    """{(name, kind): visible mentions} of every stored actor."""
    return {(r[0], r[1]): r[2] for r in store.conn.execute(
        "SELECT a.name, a.kind, count(m.id) FROM actors a LEFT JOIN actor_mentions m"
        " ON m.actor_id = a.id GROUP BY a.id")}


def delete_article(store, article_id: str) -> None:
    """Delete an article and its rows (as the manage page does), in one transaction."""
    with store.conn:
        store.conn.execute("DELETE FROM actor_mentions WHERE article_id = ?", (article_id,))
        store.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
