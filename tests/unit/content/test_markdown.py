"""Authors' markdown is rendered without raw HTML: no script or markup can get through."""

from __future__ import annotations

from services.content.markdown import render_markdown


def test_script_tags_come_out_as_text() -> None:
    html = render_markdown("hello <script>alert('x')</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_inline_html_attributes_are_escaped() -> None:
    html = render_markdown('<img src=x onerror="alert(1)"> <iframe src="https://evil"></iframe>')
    assert "<img" not in html and "<iframe" not in html


def test_javascript_and_data_links_are_not_links() -> None:
    html = render_markdown("[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=)")
    assert "href" not in html


def test_ordinary_markdown_renders() -> None:
    html = render_markdown("# 제목\n\n**굵게** [링크](https://example.com)\n\n|a|b|\n|-|-|\n|1|2|")
    assert "<h1>제목</h1>" in html
    assert "<strong>굵게</strong>" in html
    assert '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">' \
        '링크</a>' in html
    assert "<table>" in html


NEW_TAB = ' target="_blank" rel="noopener noreferrer nofollow"'


def test_links_to_other_sites_open_in_a_new_tab() -> None:
    """The app is one page: a link to another site in the same tab would replace it."""
    for href in ("https://example.com/a?b=1&c=2", "http://example.com", "HTTPS://EXAMPLE.COM",
                 "mailto:kim@example.com", "//example.com/path"):
        autolink = f" <{href}>" if ":" in href else ""  # one with a scheme is a link too
        html = render_markdown(f"[링크]({href}){autolink}")
        assert html.count("<a ") == (2 if autolink else 1), html
        assert html.count(NEW_TAB) == html.count("<a "), html


def test_links_within_the_app_stay_in_the_tab() -> None:
    html = render_markdown("[둘러보기](/browse?tag=RAG) [위로](#intro)")
    assert '<a href="/browse?tag=RAG">둘러보기</a>' in html
    assert '<a href="#intro">위로</a>' in html
    assert "target=" not in html


def test_asset_references_split_the_body_in_order() -> None:
    from services.content.markdown import AssetRef, split_asset_refs

    ulid = "01KJKB3Q005NRHCGNQ4TR480B2"
    parts = split_asset_refs(f"# 소개\n\n![그림](asset:{ulid})\n\n끝 ![x](asset:not-an-id)")
    assert parts == ["# 소개\n\n", AssetRef(ulid, "그림"), "\n\n끝 ![x](asset:not-an-id)"]
    assert split_asset_refs("plain") == ["plain"] and split_asset_refs("") == []
    # Left unresolved, a reference is harmless text: asset: is not a link scheme we render.
    assert "<img" not in render_markdown(f"![x](asset:{ulid})")


CODE_IN_LIST = "- item\n\n  ```\n  [x](https://evil)\n\n  ![x](https://evil/img.png)\n  ```\n"
CODE_IN_QUOTE = "> ```\n> [x](https://evil)\n>\n> ![x](https://evil/img.png)\n> ```\n"


def test_links_and_images_inside_code_blocks_stay_text() -> None:
    # A code block with a blank line, in a list and in a blockquote: the case a second
    # markdown pass used to bring to life.
    for body in (CODE_IN_LIST, CODE_IN_QUOTE):
        html = render_markdown(body)
        assert "<pre><code>[x](https://evil)\n\n![x](https://evil/img.png)" in html
        assert "<a " not in html and "<img" not in html


def test_inert_rendering_keeps_links_and_images_as_literal_text() -> None:
    from services.content.markdown import render_inert

    html = render_inert("## 요약\n\n**굵게** [session expired, sign in again](https://evil) "
                        "![x](https://evil/img.png) <https://evil> www.evil.com")
    assert "<h2>요약</h2>" in html and "<strong>굵게</strong>" in html
    assert "<a " not in html and "<img" not in html
    assert "[session expired, sign in again](https://evil)" in html


def test_a_picture_from_another_host_is_a_link_not_a_request() -> None:
    """An image in a body would be fetched by every reader's browser: a tracking pixel that
    tells the author's server who read the page and when. It becomes a link to the picture,
    opened only by a reader who clicks it."""
    for src in ("https://evil.example/p.png", "//evil.example/p.png", "http://x/p.png"):
        html = render_markdown(f"보세요 ![다이어그램 <b>]({src})")
        assert "<img" not in html
        assert f'href="{src}"' in html and "다이어그램 &lt;b&gt;" in html
        assert NEW_TAB in html
