"""geo.passages: paragraphs with exact offsets, furniture dropped, long ones cut."""
from __future__ import annotations

import pytest

from geo.models import Article
from geo.passages import HARD_MAX_CHARS, MAX_PASSAGE_CHARS, split_passages
from geo.readers import read_articles

FURNITURE = ["North Korea - Figure", "Photo CBC.ca", "WATCH l", "Read more", "Similar news",
             "12 Sep 2023"]


def _article(text: str, published: str | None = "2023-09-12") -> Article:
    return Article(id="art", text=text, published=published)


def _assert_offsets(article: Article, passages) -> None:
    for index, passage in enumerate(passages):
        assert article.text[passage.start:passage.end] == passage.text
        assert passage.text == passage.text.strip()
        assert passage.index == index and passage.id == f"{article.id}-p{index}"
        assert passage.article_id == article.id


@pytest.fixture(scope="module")
def seed_passages(seed_article_path):
    result = read_articles([seed_article_path])
    article = result.articles[0]
    return article, split_passages(article)


@pytest.mark.shared
def test_seed_offsets_are_exact_and_no_furniture_is_kept(seed_passages):
    article, passages = seed_passages
    _assert_offsets(article, passages)
    texts = [p.text for p in passages]
    for junk in FURNITURE:
        assert not any(t.startswith(junk) for t in texts), junk
    assert "Kim may seek food aid from Russia" in texts  # a real sub-heading
    assert texts[0].startswith("North Korea's Kim Jong-un arrives in Russia")


@pytest.mark.shared
def test_seed_khasan_passage_and_dates(seed_passages):
    article, passages = seed_passages
    khasan = [p for p in passages if "armoured train in Khasan" in p.text]
    assert len(khasan) == 1
    assert khasan[0].text.startswith("Russian officials posted video")  # not the caption
    by_phrase = {phrase: next(p for p in passages if phrase in p.text)
                 for phrase in ("arrived in Russia on Tuesday", "on Sunday afternoon",
                                "invasion of Ukraine in 2022", "in July, when Kim")}
    assert by_phrase["arrived in Russia on Tuesday"].date == "2023-09-12"
    assert by_phrase["on Sunday afternoon"].date == "2023-09-10"
    assert by_phrase["invasion of Ukraine in 2022"].date == "2022-01-01"
    assert by_phrase["in July, when Kim"].date == "2023-07-01"


@pytest.mark.shared
def test_seed_ids_are_stable_across_reads(seed_article_path, seed_passages):
    _, passages = seed_passages
    again = split_passages(read_articles([seed_article_path]).articles[0])
    assert [(p.id, p.start, p.end) for p in again] == [(p.id, p.start, p.end) for p in passages]


def test_blank_line_paragraphs_and_one_line_per_paragraph():
    text = ("Aid reached Kherson.\n\n  Trucks left Odesa at dawn.  \n"
            "Engineers repaired the bridge near Snihurivka.\n")
    article = _article(text)
    passages = split_passages(article)
    _assert_offsets(article, passages)
    assert [p.text for p in passages] == [
        "Aid reached Kherson.", "Trucks left Odesa at dawn.",
        "Engineers repaired the bridge near Snihurivka."]


def test_hard_wrapped_paragraph_stays_whole():
    text = ("An aid convoy reached Kherson on Tuesday after engineers repaired the\n"
            "bridge over the Inhulets River near Snihurivka, the regional\n"
            "administration said.\n\nSecond paragraph here.")
    article = _article(text)
    passages = split_passages(article)
    _assert_offsets(article, passages)
    assert len(passages) == 2
    assert "Inhulets River" in passages[0].text and passages[0].text.endswith("said.")


def test_windows_newlines_keep_exact_offsets():
    text = "Floods hit Derna.\r\n\r\nDams collapsed near Derna on Sunday night.\r\n"
    article = _article(text)
    passages = split_passages(article)
    _assert_offsets(article, passages)
    assert [p.text for p in passages] == ["Floods hit Derna.",
                                          "Dams collapsed near Derna on Sunday night."]
    assert passages[1].date == "2023-09-10"


@pytest.mark.parametrize("line", [
    "Advertisement", "Share this article", "Related: Floods in Libya", "READ MORE:",
    "Click here to subscribe", "Photo: Reuters", "(Sergey Shinov/The Associated Press)",
    "Getty Images", "* * *", "---", "By Jane Doe, Example Wire", "Ukraine - Figure 2",
    "WATCH | What we know about the floods:", "Updated: 2023-09-12", "World",
])
def test_furniture_lines_are_dropped(line):
    text = f"Aid reached Kherson on Tuesday.\n\n{line}\n\nTrucks left Odesa."
    passages = split_passages(_article(text))
    assert [p.text for p in passages] == ["Aid reached Kherson on Tuesday.",
                                          "Trucks left Odesa."]


@pytest.mark.parametrize("line", [
    "Kim may seek food aid from Russia",  # short sub-heading with a place
    "Floods in Libya",
    "Related talks in Geneva ended without agreement.",
    "Photo exhibitions in Kyiv reopened on Monday after a year of closures.",
])
def test_real_short_lines_are_kept(line):
    passages = split_passages(_article(f"First paragraph.\n\n{line}\n"))
    assert line in [p.text for p in passages]


def test_long_paragraph_is_cut_at_sentence_boundaries():
    sentences = [f"Sentence {i} names Tbilisi and the \"Kura River.\" " for i in range(120)]
    text = "".join(sentences).strip()
    article = _article(text)
    passages = split_passages(article)
    _assert_offsets(article, passages)
    assert len(passages) > 1
    assert all(len(p.text) <= 2000 for p in passages)
    assert all(p.text.startswith("Sentence") and p.text.endswith('River."') for p in passages)
    covered = "".join(p.text for p in passages).replace(" ", "")
    assert covered == text.replace(" ", "")  # nothing lost between the pieces


def test_empty_and_furniture_only_articles_give_no_passages():
    assert split_passages(_article("")) == []
    assert split_passages(_article("Read more\nSimilar news\n\n---\n")) == []


def test_an_over_long_paragraph_without_sentence_ends_is_cut_with_exact_offsets():
    """A text without sentence punctuation (one 5 MB line broke spaCy's max_length):
    it is cut at a sentence end where there is one, else at whitespace, else hard."""
    words = " ".join(f"convoy{i} reached Kherson" for i in range(3000))  # ~75,000 chars
    unbroken = "x" * 25_000 + " ends here."
    clauses = "; ".join(f"talks in Geneva went on{i}" for i in range(800))  # ~21,000
    text = f"Aid reached Kherson.\n\n{words}\n\n{unbroken}\n\n{clauses}\n\nTrucks left Odesa."
    article = _article(text)
    passages = split_passages(article)
    _assert_offsets(article, passages)
    assert passages[0].text == "Aid reached Kherson." and passages[-1].text == "Trucks left Odesa."
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    by_paragraph = {}
    for paragraph in (words, unbroken, clauses):
        pieces = [p.text for p in passages if p.text in paragraph]
        assert len(pieces) > 1
        assert "".join(pieces).replace(" ", "") == paragraph.replace(" ", "")  # all kept
        by_paragraph[paragraph] = pieces
    assert all(set(t.split()) <= set(words.split()) for t in by_paragraph[words])  # whole words
    assert [len(t) for t in by_paragraph[unbroken]] == [2000] * 12 + [1011]
    assert all(t.endswith(";") for t in by_paragraph[clauses][:-1])


def test_ordinary_long_sentences_are_not_cut_again():
    """A sentence a little over max_chars stays whole (passage ids of news stay put)."""
    sentence = "Talks in Geneva, " + ", ".join(f"round {i}" for i in range(300)) + "."
    assert MAX_PASSAGE_CHARS < len(sentence) < HARD_MAX_CHARS
    passages = split_passages(_article(sentence))
    assert [p.text for p in passages] == [sentence]
