"""The parts of a search result marked as matching the words searched for."""

from __future__ import annotations

from services.content.highlight import pieces, plain_text, result_snippet, snippet


def marked(parts: list[tuple[str, bool]]) -> list[str]:
    return [text for text, hit in parts if hit]


def test_every_occurrence_of_every_word_is_marked_whatever_its_case() -> None:
    parts = pieces("Bedrock 에이전트 on bedrock", ["BEDROCK", "에이전"])
    assert marked(parts) == ["Bedrock", "에이전", "bedrock"]
    assert "".join(text for text, _ in parts) == "Bedrock 에이전트 on bedrock"


def test_korean_inside_a_longer_word_and_overlapping_words() -> None:
    assert marked(pieces("생성형AI를 활용", ["생성형", "AI"])) == ["생성형AI"]


def test_no_words_no_marks() -> None:
    assert pieces("a title", []) == [("a title", False)]


def test_a_snippet_is_cut_around_the_first_match_at_word_boundaries() -> None:
    text = " ".join(f"w{n}" for n in range(100)) + " bedrock " + " ".join(["xxx"] * 80)
    parts = snippet(text, ["bedrock"], width=60)
    shown = "".join(t for t, _ in parts)
    assert shown.startswith("…") and shown.endswith("…")
    assert marked(parts) == ["bedrock"]
    assert len(shown) <= 62
    assert all(not word or word.startswith(("w", "x", "…", "b")) for word in shown.split(" "))


def test_the_snippet_comes_from_the_summary_or_the_plain_body() -> None:
    assert marked(result_snippet("about bedrock", "body", ["bedrock"])) == ["bedrock"]
    parts = result_snippet("summary", "# Title\n\nUses **Bedrock** [here](https://x.example)",
                           ["bedrock"])
    assert "".join(t for t, _ in parts) == "Title Uses Bedrock here"
    assert result_snippet("summary", "body", ["zzz"]) == [("summary", False)]


def test_plain_text_drops_markup_not_words() -> None:
    assert plain_text("## Hi\n\n- *one* `two`\n\n```\ncode\n```") == "Hi one two code"


def test_plain_text_keeps_korean_words_whole_around_emphasis_links_and_code() -> None:
    # Korean particles and endings follow the word without a space: the markup around the
    # word must not leave one.
    assert plain_text("**에이전트**로 *자동화*합니다") == "에이전트로 자동화합니다"
    assert plain_text("[가이드](https://x.example)를 보고 `st.image`로 ~~삭제~~했습니다") == (
        "가이드를 보고 st.image로 삭제했습니다")
    assert plain_text("한 줄\n이어서  \n다음 줄") == "한 줄 이어서 다음 줄"  # line breaks


def test_plain_text_separates_blocks() -> None:
    assert plain_text("# 제목\n본문\n\n- 하나\n- 둘\n\n| 표 |\n|---|\n| 칸 |") == (
        "제목 본문 하나 둘 표 칸")
