"""Hand-built analysed articles for the dashboard tests (no model, no gazetteer needed).

Three articles: a shortened version of the seed article (CBC News, 2023-09-12), a
follow-up (Reuters, 2023-09-14), and a hostile one whose title, text and URL carry
script-injection payloads that must show as text. Offsets are computed from the text,
so they are always right.
"""
from __future__ import annotations

from pathlib import Path

from geo.models import (
    ActorMention, AnalyzedArticle, Article, GazetteerEntry, Passage, PlaceMention,
)
from geo.store import Store

KHASAN = GazetteerEntry("gn:2039232", "Khasan", 42.4308, 130.6434, "city", "RU",
                        "P", "PPL", "59", 700)
VLADIVOSTOK = GazetteerEntry("gn:2013348", "Vladivostok", 43.1056, 131.8735, "city", "RU",
                             "P", "PPLA", "59", 587022)
RAZDOLNAYA = GazetteerEntry("cur:razdolnaya-river", "Razdolnaya River", 43.35, 131.95,
                            "water", "RU", "H", "STM")
NORTH_KOREA = GazetteerEntry("cc:KP", "North Korea", 40.0, 127.0, "country", "KP", "A", "PCLI")
RUSSIA = GazetteerEntry("cc:RU", "Russia", 60.0, 100.0, "country", "RU", "A", "PCLI")
MOSCOW = GazetteerEntry("gn:524901", "Moscow", 55.7522, 37.6156, "city", "RU", "P", "PPLC")
PYONGYANG = GazetteerEntry("gn:1871859", "Pyongyang", 39.0339, 125.7543, "city", "KP",
                           "P", "PPLC")
SEOUL = GazetteerEntry("gn:1835848", "Seoul", 37.566, 126.9784, "city", "KR", "P", "PPLC")
VOSTOCHNY = GazetteerEntry("gn:7732465", "Vostochny Cosmodrome", 51.884, 128.334,
                           "landmark", "RU", "S", "SPCE")

HOSTILE_TITLE = "<script>window.__pwned=1;document.title='pwned'</script>Breaking"
HOSTILE_IMG = "<img src=x onerror=\"window.__pwned=2;document.title='pwned'\">"


def _build(article: Article, paragraphs: list[str], places: list[tuple],
           actors: list[tuple], dates: dict[int, str] | None = None) -> AnalyzedArticle:
    """``places``: (paragraph, surface, entry, kind, rule, score);
    ``actors``: (paragraph, surface, canonical, label)."""
    text = "\n\n".join(paragraphs)
    article.text = text
    passages, pos = [], 0
    for i, para in enumerate(paragraphs):
        passages.append(Passage(f"{article.id}-p{i}", article.id, i, pos, pos + len(para),
                                para, (dates or {}).get(i)))
        pos += len(para) + 2

    def span(par: int, surface: str) -> tuple[int, int]:
        at = paragraphs[par].index(surface)
        return passages[par].start + at, passages[par].start + at + len(surface)

    pm = []
    for par, surface, entry, kind, rule, score in places:
        s, e = span(par, surface)
        pm.append(PlaceMention(s, e, surface, passages[par].id, kind, "GPE", entry,
                               score, rule))
    am = []
    for par, surface, canonical, label in actors:
        s, e = span(par, surface)
        am.append(ActorMention(s, e, surface, label, passages[par].id, canonical))
    return AnalyzedArticle(article, passages, pm, am)


def seed_like() -> AnalyzedArticle:
    art = Article("seedlike0000001", "", "North Korea's Kim Jong-un arrives in Russia",
                  "https://www.cbc.ca/news/world/kim-jong-un-russia-putin-1.6963531",
                  "CBC News", "2023-09-12")
    paras = [
        "Russian officials posted video of North Korea's leader exiting his armoured train"
        " in Khasan, a station on the Russia-North Korea border.",
        "Russian President Vladimir Putin gestures while speaking at the Eastern Economic"
        " Forum in Vladivostok on Tuesday.",
        "RIA-Novosti later reported his train had headed north after crossing the"
        " Razdolnaya River, taking it away from Vladivostok.",
        "Speculation about military co-operation grew after Russian Defence Minister"
        " Sergei Shoigu visited North Korea in July.",
        "Lim Soo-suk said Seoul was maintaining communication with Moscow while Kim Jong-un"
        " travelled from Pyongyang.",
    ]
    places = [
        (0, "Russian", RUSSIA, "demonym", "demonym", 0.9),
        (0, "Khasan", KHASAN, "place", "near-context", 0.82),
        (0, "North Korea", NORTH_KOREA, "place", "country", 0.99),
        (1, "Vladivostok", VLADIVOSTOK, "place", "population", 0.95),
        (2, "Razdolnaya River", RAZDOLNAYA, "place", "curated", 0.9),
        (2, "Vladivostok", VLADIVOSTOK, "place", "population", 0.95),
        (3, "North Korea", NORTH_KOREA, "place", "country", 0.99),
        (3, "Russian", RUSSIA, "demonym", "demonym", 0.9),
        (4, "Seoul", SEOUL, "place", "capital", 0.97),
        (4, "Moscow", MOSCOW, "place", "capital", 0.97),
        (4, "Pyongyang", PYONGYANG, "place", "capital", 0.97),
    ]
    actors = [
        (0, "North Korea's leader", "Kim Jong-un", "PERSON"),
        (1, "Vladimir Putin", "Vladimir Putin", "PERSON"),
        (3, "Sergei Shoigu", "Sergei Shoigu", "PERSON"),
        (4, "Kim Jong-un", "Kim Jong-un", "PERSON"),
        (4, "Lim Soo-suk", "Lim Soo-suk", "PERSON"),
    ]
    return _build(art, paras, places, actors, dates={3: "2023-07-26"})


def follow_up() -> AnalyzedArticle:
    art = Article("followup0000002", "", "Putin and Kim meet at Vostochny Cosmodrome",
                  "https://www.reuters.com/world/putin-kim-meet", "Reuters", "2023-09-14")
    paras = [
        "Vladimir Putin hosted Kim Jong-un at the Vostochny Cosmodrome, far north of"
        " Vladivostok.",
        "Kim Jong-un later left for Khasan by train.",
    ]
    places = [
        (0, "Vostochny Cosmodrome", VOSTOCHNY, "place", "landmark", 0.88),
        (0, "Vladivostok", VLADIVOSTOK, "place", "population", 0.95),
        (1, "Khasan", KHASAN, "place", "near-context", 0.8),
    ]
    actors = [
        (0, "Vladimir Putin", "Vladimir Putin", "PERSON"),
        (0, "Kim Jong-un", "Kim Jong-un", "PERSON"),
        (1, "Kim Jong-un", "Kim Jong-un", "PERSON"),
    ]
    return _build(art, paras, places, actors)


def hostile() -> AnalyzedArticle:
    art = Article("hostile00000003", "", HOSTILE_TITLE, "javascript:window.__pwned=3",
                  "<b>Evil</b> Source", "2023-09-13")
    paras = [
        f"Reports from Seoul {HOSTILE_IMG} say nothing happened.",
        "Click <a href=\"javascript:window.__pwned=4\">here</a> for <script>window.__pwned=5"
        "</script> more on Pyongyang.",
    ]
    places = [
        (0, "Seoul", SEOUL, "place", "capital", 0.97),
        (1, "Pyongyang", PYONGYANG, "place", "capital", 0.97),
    ]
    actors = [(0, HOSTILE_IMG, HOSTILE_IMG, "PERSON")]
    return _build(art, paras, places, actors)


def fixture_articles() -> list[AnalyzedArticle]:
    return [seed_like(), follow_up(), hostile()]


def build_store(path: str | Path) -> str:
    """Write the fixture articles into a new SQLite store at ``path``; return its path."""
    with Store.open(str(path)) as store:
        for analyzed in fixture_articles():
            store.save(analyzed)
    return str(path)
