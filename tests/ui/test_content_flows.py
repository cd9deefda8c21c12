"""Content flows through the UI: write, find, edit with a conflict, like, delete, samples."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import Dim, EventType
from services.domain.models import Category, ContentDraft, ContentItem, SearchQuery, Status
from services.domain.permissions import Actor
from services.domain.users import User
from services.ui.widgets import md_escape
from tests.ui.conftest import (
    as_shown,
    card_titles,
    errors,
    ko,
    open_page,
    pdf_bytes,
    png_bytes,
    texts,
)

FIX_FIELDS = ko("forms.fix_fields")  # the summary line by the save button, under the field's own


def open_editor(new_app: Callable[..., AppTest], username: str,
                 content_id: str | None = None) -> AppTest:
    at = new_app(username)
    at.run()
    if content_id:
        at.query_params["id"] = content_id
    at.switch_page("app_pages/editor.py").run()
    assert not at.exception and not errors(at)
    return at


def _save(at: AppTest) -> AppTest:
    at.button(key="ed_save").click().run()
    assert not at.exception
    return at



def test_author_creates_content_that_browse_and_search_find(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("사내 문서 검색 챗봇 만들기")
    at.text_area(key="ed_summary").input("Knowledge Bases로 만드는 RAG 챗봇")
    at.selectbox(key="ed_category").select(Category.GENERATIVE_AI)
    at.text_input(key="ed_tags").input("RAG, Bedrock")
    at.text_area(key="ed_body").input("## 준비\n\n생성형AI를 활용한 검색 데모입니다.")
    at.radio(key="ed_status").set_value(Status.PUBLISHED)
    _save(at)
    assert not errors(at)
    assert "'사내 문서 검색 챗봇 만들기'를 저장했습니다." in texts(at)
    saved = services.content.browse(SearchQuery(), Actor.anonymous()).items
    assert [i.title for i in saved] == ["사내 문서 검색 챗봇 만들기"]
    assert saved[0].tags == ("RAG", "Bedrock")
    assert at.query_params["id"] == saved[0].id  # the editor now edits the saved item

    browse = new_app()
    browse.run()
    browse.switch_page("app_pages/browse.py").run()
    assert "사내 문서 검색 챗봇 만들기" in card_titles(browse)
    browse.text_input(key="browse_all_q").input("생성형").run()  # a Korean substring
    assert card_titles(browse) == ["사내 문서 검색 챗봇 만들기"]
    browse.text_input(key="browse_all_q").input("존재하지않는검색어").run()
    assert card_titles(browse) == []
    assert "조건에 맞는 콘텐츠가 없습니다" in texts(browse)


def test_editor_shows_validation_error_and_keeps_text(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("카테고리 없는 글")
    at.text_area(key="ed_body").input("본문")
    _save(at)
    assert errors(at) == ["카테고리를 선택하세요.", FIX_FIELDS]
    assert at.text_input(key="ed_title").value == "카테고리 없는 글"


def test_an_over_long_title_or_summary_is_kept_and_refused_with_its_length(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_editor(new_app, "author-user")
    title = "아주 긴 제목 " * 30  # 240 characters pasted: more than the 200 allowed
    at.text_input(key="ed_title").input(title)
    at.selectbox(key="ed_category").select(Category.GENERATIVE_AI)
    at.text_area(key="ed_body").input("본문")
    _save(at)

    assert at.text_input(key="ed_title").value == title  # the paste did not vanish
    assert errors(at) == ["제목이 너무 깁니다: 239자 (최대 200자). 줄여 주세요.", FIX_FIELDS]
    assert "240 / 200자" in texts(at)  # the count, as typed

    summary = "요약 " * 200
    at.text_input(key="ed_title").input("짧은 제목")
    at.text_area(key="ed_summary").input(summary)
    _save(at)

    assert at.text_area(key="ed_summary").value == summary
    assert errors(at) == ["요약이 너무 깁니다: 600자 (최대 500자). 줄여 주세요.", FIX_FIELDS]


def test_editor_conflict_keeps_the_typed_text(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item("원래 제목")
    at = open_editor(new_app, "author-user", item.id)
    assert at.text_input(key="ed_title").value == "원래 제목"
    # Someone else saves the item after the editor loaded version 1.
    services.content.update(
        item.id, ContentDraft(title="다른 사람의 제목", summary="", body="x",
                              category=Category.FINANCE, status=Status.PUBLISHED),
        item.version, users["admin"].as_actor(),
    )
    at.text_input(key="ed_title").input("내가 고친 제목")
    at.text_area(key="ed_body").input("내가 쓴 본문")
    _save(at)
    assert len(errors(at)) == 1 and "다른 사용자가 먼저 저장했습니다" in errors(at)[0]
    assert at.text_input(key="ed_title").value == "내가 고친 제목"
    assert at.text_area(key="ed_body").value == "내가 쓴 본문"
    assert services.content.get(item.id, Actor.anonymous()).title == "다른 사람의 제목"
    # Loading the latest version replaces the text and lets the next save through.
    at.button(key="ed_reload").click().run()
    assert at.text_input(key="ed_title").value == "다른 사람의 제목"
    at.text_input(key="ed_title").input("합친 제목")
    _save(at)
    assert not errors(at)
    assert services.content.get(item.id, Actor.anonymous()).title == "합친 제목"


def test_editor_uploads_and_removes_files(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item("첨부 테스트")
    at = open_editor(new_app, "author-user", item.id)
    at.file_uploader[0].set_value(
        [("diagram.png", png_bytes(), "image/png"), ("guide.pdf", pdf_bytes(2), "application/pdf")]
    )
    _save(at)
    assert not errors(at)
    saved = services.content.get(item.id, Actor.anonymous())
    assert sorted(a.filename for a in saved.assets) == ["diagram.png", "guide.pdf"]
    pdf = next(a for a in saved.assets if a.filename == "guide.pdf")
    at.checkbox(key=f"ed_rm_{pdf.id}").check()
    _save(at)
    assert not errors(at)
    assert [a.filename for a in services.content.get(item.id, Actor.anonymous()).assets] == [
        "diagram.png"
    ]


def test_editor_refuses_a_disguised_file(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item("위장 파일")
    at = open_editor(new_app, "author-user", item.id)
    at.file_uploader[0].set_value(("photo.png", pdf_bytes(1), "image/png"))
    _save(at)
    # The file name is the uploader's text: shown escaped (as plain text, never a link).
    # Under the uploader, then the form's summary line by the save button.
    assert [as_shown(e) for e in errors(at)] == [
        "'photo.png' 파일의 확장자가 실제 내용(application/pdf)과 맞지 않습니다. "
        "올바른 확장자로 바꾸세요.",
        "입력한 내용에 고칠 곳이 있습니다. 각 항목 아래의 안내를 확인하세요.",
    ]
    assert services.content.get(item.id, Actor.anonymous()).assets == ()


def test_like_toggles_the_count(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item()
    at = new_app("viewer-user")
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    like, unlike = f"like_{item.id}", f"unlike_{item.id}"
    assert at.button(key=like).label == "좋아요 (0)"
    at.button(key=like).click().run()
    assert at.button(key=unlike).label == "좋아요 취소 (1)"
    at.button(key=unlike).click().run()
    assert at.button(key=like).label == "좋아요 (0)"


def test_views_are_counted_once_per_visit(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    item = make_item()
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    at.run()
    assert services.content.get(item.id, Actor.anonymous()).views == 1
    assert "조회 1회" in texts(at)

    # A reload is a new Streamlit session with the same visit cookie: not counted again.
    from services.ui import tracking

    monkeypatch.setattr(tracking, "read_cookie",
                        {"df_visit": at.session_state["_df_session_id"]}.get)
    reloaded = new_app()
    reloaded.query_params["id"] = item.id
    reloaded.run()
    reloaded.switch_page("app_pages/content.py").run()
    assert services.content.get(item.id, Actor.anonymous()).views == 1
    assert "조회 1회" in texts(reloaded)


def test_an_author_previewing_a_draft_counts_no_view(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item(status=Status.DRAFT)
    at = new_app("author-user")
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    app: Services = at.session_state["_df_services"]
    app.tracker.flush()
    today = app.analytics.today()
    rows = app.ports.events.rollups(today, today, types=[EventType.CONTENT_VIEW],
                                    dims=[Dim.ALL])
    assert sum(row.count for row in rows) == 0
    assert services.content.get(item.id, users["author"].as_actor()).views == 0
    assert "조회 0회" in texts(at)


def asked_to_delete(at: AppTest, item: ContentItem) -> AppTest:
    """``item``'s page with its delete button clicked: the confirmation shown."""
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    at.button(key=f"delete_{item.id}").click().run()
    return at


def _open_item(at: AppTest, item: ContentItem) -> None:
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()


def test_owner_deletes_with_confirmation(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item("지울 글")
    at = asked_to_delete(new_app("author-user"), item)
    assert "'지울 글'과 첨부 파일을 모두 삭제할까요?" in texts(at)
    assert services.content.count() == 1  # nothing happens before the confirmation
    at.button(key=f"delete_{item.id}_yes").click().run()
    assert not at.exception
    assert services.content.count() == 0
    assert "'지울 글'을 삭제했습니다." in texts(at)


def test_a_delete_question_left_unanswered_is_gone_after_leaving_the_item(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    """Asked on one item, the question stood when the person came back from another page or
    another item, its primary button ready."""
    first, second = make_item("지울 글"), make_item("다른 글")
    at = asked_to_delete(new_app("author-user"), first)
    asked = "'지울 글'과 첨부 파일을 모두 삭제할까요?"
    assert asked in texts(at)
    at.switch_page("app_pages/home.py").run()  # another page
    _open_item(at, first)
    assert asked not in texts(at)
    assert f"delete_{first.id}_yes" not in [b.key for b in at.button]

    at.button(key=f"delete_{first.id}").click().run()
    _open_item(at, second)  # another item, same page
    _open_item(at, first)
    assert asked not in texts(at)
    assert f"delete_{first.id}_yes" not in [b.key for b in at.button]
    assert services.content.count() == 2


def test_a_delete_confirmed_after_someone_else_edited_deletes_nothing(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    """The confirmation asked about what the author saw; an administrator's edit landed
    before the click. The edit is kept and the author is told to look again."""
    item = make_item("지울 글")
    at = asked_to_delete(new_app("author-user"), item)
    draft = ContentDraft(title="관리자가 고친 글", summary=item.summary, body=item.body,
                         category=item.category.value, tags=item.tags, status=item.status)
    services.content.update(item.id, draft, item.version, users["admin"].as_actor())

    at.button(key=f"delete_{item.id}_yes").click().run()

    assert not at.exception
    assert services.content.get(item.id, Actor.anonymous()).title == "관리자가 고친 글"
    assert "삭제를 요청한 뒤 이 항목이 바뀌었습니다." in " ".join(errors(at))


def test_others_see_no_edit_or_delete(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item()
    for username in ("viewer-user", "analyst-user"):
        at = new_app(username)
        at.run()
        at.query_params["id"] = item.id
        at.switch_page("app_pages/content.py").run()
        keys = [b.key for b in at.button]
        assert f"delete_{item.id}" not in keys
    admin = new_app("admin-user")
    admin.run()
    admin.query_params["id"] = item.id
    admin.switch_page("app_pages/content.py").run()
    assert f"delete_{item.id}" in [b.key for b in admin.button]


def test_my_content_lists_drafts(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    make_item("공개 글")
    make_item("작성 중인 초안", status=Status.DRAFT)
    at = new_app("author-user")
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    page = texts(at)
    assert "작성 중인 초안" in page and "공개 글" in page and "초안" in page
    anonymous = new_app()
    anonymous.run()
    anonymous.switch_page("app_pages/browse.py").run()
    assert card_titles(anonymous) == ["공개 글"]


def test_browse_filters_and_pages(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    for number in range(14):  # page size 12 -> two pages
        make_item(f"금융 데모 {number:02d}", category=Category.FINANCE)
    make_item("제조 데모", category=Category.MANUFACTURING)
    at = new_app()
    at.run()
    open_page(at, "category_finance").run()
    assert len(card_titles(at)) == 12
    assert "전체 14개" in texts(at)
    at.query_params.update(page="2")  # the pager's link to page 2 (tests/ui/test_pager_links.py)
    at.run()
    assert len(card_titles(at)) == 2
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page("app_pages/browse.py").run()
    at.selectbox(key="browse_all_category").select(Category.MANUFACTURING).run()
    assert card_titles(at) == ["제조 데모"]


def test_admin_removes_sample_content(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    make_item("샘플 하나", author="admin", sample=True)
    make_item("샘플 둘", author="admin", sample=True)
    make_item("진짜 글")
    at = new_app("admin-user")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    at.button(key="adm_samples_remove").click().run()
    assert services.content.count() == 3
    at.button(key="adm_samples_yes").click().run()
    assert not at.exception and not errors(at)
    assert "샘플 콘텐츠 2개를 삭제했습니다." in texts(at)
    assert services.content.count() == 1
    assert "남아 있는 샘플 콘텐츠가 없습니다." in texts(at)


def test_admin_creates_a_user_and_changes_roles(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = new_app("admin-user")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    at.text_input(key="adm_new_username").input("new-writer")
    at.text_input(key="adm_new_name").input("새 작성자")
    at.multiselect(key="adm_new_roles").select("author")
    at.text_input(key="adm_new_password").input("short")
    at.button[[b.label for b in at.button].index("사용자 만들기")].click().run()
    assert errors(at) == ["비밀번호는 10자 이상이어야 합니다.", FIX_FIELDS]
    at.text_input(key="adm_new_password").input("long-enough-password")
    at.button[[b.label for b in at.button].index("사용자 만들기")].click().run()
    assert not errors(at)
    assert "사용자 'new-writer'을(를) 만들었습니다." in texts(at)
    assert {r.value for r in services.accounts.get("new-writer").roles} == {"viewer", "author"}
    at.selectbox(key="adm_roles_user").select("new-writer").run()
    at.multiselect(key="adm_roles_new-writer").unselect("author").run()
    at.button(key="adm_roles_save").click().run()
    assert not errors(at)
    assert {r.value for r in services.accounts.get("new-writer").roles} == {"viewer"}


def test_admin_cannot_drop_own_admin_role(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app("admin-user")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    at.selectbox(key="adm_roles_user").select("admin-user").run()
    at.multiselect(key="adm_roles_admin-user").unselect("admin").select("author").run()
    at.button(key="adm_roles_save").click().run()
    assert errors(at) == ["자기 자신의 관리자 권한은 없앨 수 없습니다. 다른 관리자에게 맡기세요."]


def test_language_switch_to_english(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    make_item()
    at = new_app()
    at.run()
    assert "최신 콘텐츠" in texts(at)
    at.radio(key="df_lang_widget").set_value("en").run()
    assert "Latest content" in texts(at)
    at.switch_page("app_pages/browse.py").run()
    assert at.title[0].value == "All content"
    assert at.session_state["df_lang"] == "en"


def test_sample_content_loads_on_first_start_and_admin_removes_it(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_SAMPLE_CONTENT", "true")
    at = new_app("admin-user")
    at.run()
    assert not at.exception and not errors(at)
    loaded = services.content.sample_count()
    assert loaded > 0
    assert "최신 콘텐츠" in texts(at)
    at.switch_page("app_pages/admin.py").run()
    at.button(key="adm_samples_remove").click().run()
    at.button(key="adm_samples_yes").click().run()
    assert f"샘플 콘텐츠 {loaded}개를 삭제했습니다." in texts(at)
    assert services.content.count() == 0


def test_files_referenced_in_the_text_show_in_place(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    from services.domain.models import Upload

    other = make_item("다른 항목", uploads=(Upload("secret.png", png_bytes()),))
    item = make_item(uploads=(Upload("diagram.png", png_bytes()), Upload("guide.pdf", pdf_bytes())))
    image = next(a for a in item.assets if a.filename == "diagram.png")
    body = (f"위\n\n![구성도](asset:{image.id})\n\n아래\n\n"
            f"![남의 파일](asset:{other.assets[0].id})")
    services.ports.content.update(replace(item, body=body), item.version)

    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    shown = [as_shown(m) for m in _in_order(at)]
    # The image sits between the two paragraphs; the PDF stays under the attachments.
    above, below = (next(i for i, m in enumerate(shown) if f"<p>{text}</p>" in m)
                    for text in ("위", "아래"))
    assert any("diagram.png" in m for m in shown[above:below])
    assert "첨부 파일" in [h.value for h in at.subheader]
    assert not any("diagram.png" in m for m in shown[below:])
    assert any("guide.pdf" in m for m in shown[below:])
    # Another item's file id resolves to nothing: a note, never that item's file.
    notes = [c.value for c in at.caption]
    assert "본문에서 가리키는 파일(남의 파일)이 이 항목에 없습니다." in notes
    assert not any("secret.png" in m for m in shown)


def _in_order(at: AppTest) -> list[str]:
    """Markdown and HTML elements of the page, in the order they are drawn."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if getattr(node, "type", "") == "markdown":
            found.append(str(node.value))
        elif getattr(node, "type", "") == "html":
            found.append(str(node.proto.body))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def _html_bodies(at: AppTest) -> list[str]:
    return [str(e.proto.body) for e in at.get("html")]


def test_the_body_reaches_the_browser_once_as_html(
    new_app: Callable[..., AppTest], services: Services, make_item: Callable[..., ContentItem]
) -> None:
    """markdown-it's HTML goes out through st.html: no second markdown pass can bring the
    link or the image inside a code block to life; ordinary content still shows."""
    body = ("# 소개\n\n- item\n\n  ```\n  [x](https://evil)\n\n  ![x](https://evil/img.png)\n"
            "  ```\n\n> ```\n> [x](https://evil)\n>\n> ![y](https://evil/img.png)\n> ```\n\n"
            "|a|b|\n|-|-|\n|1|2|\n\n[문서](https://example.com)")
    item = make_item(body=body)
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    html = "\n".join(_html_bodies(at))
    assert "<h1>소개</h1>" in html and "<table>" in html
    assert html.count("<pre><code>[x](https://evil)\n\n![") == 2
    assert ('<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">'
            '문서</a>') in html
    assert "<a href=\"https://evil" not in html and "<img" not in html
    # Nothing of the body is handed to Streamlit's markdown (which would parse it again).
    assert not any("evil" in str(m.value) for m in at.markdown)


def test_a_pdf_with_absurd_pages_gets_no_preview_but_a_download(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    import pymupdf

    from services.domain.models import Upload

    with pymupdf.open() as doc:
        doc.new_page(width=300 * 72, height=300 * 72)  # 300 inches: refused, not drawn
        data = doc.tobytes()
    item = make_item(uploads=(Upload("huge.pdf", data),))
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    assert "이 PDF는 미리볼 수 없습니다. 내려받아서 여세요." in [c.value for c in at.caption]
    assert not at.image and len(at.get("download_button")) == 1


HOSTILE_TITLE = "[session expired, sign in again](https://evil.example)"
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
CODE_SPAN = re.compile(r"`[^`]*`")


def _markdown_sent(at: AppTest) -> list[str]:
    """Every string of the run that Streamlit renders as markdown."""
    found = [str(e.value) for kind in ("markdown", "caption", "title", "subheader", "header")
             for e in at.get(kind)]
    for link in at.get("page_link"):
        found += [str(link.proto.label), str(link.proto.help)]
    return found


def _assert_inert(sent: list[str]) -> None:
    for value in sent:
        outside_code = CODE_SPAN.sub("", value)
        assert "\n" not in value.strip(), value
        assert not re.search(r"(?<!\\)[\[\]<>!]", outside_code), value
        text = re.sub(r"\\(.)", r"\1", outside_code)
        assert not GFM_URL.search(text) and not GFM_EMAIL.search(text), value


def test_short_fields_show_as_plain_text_on_cards_and_the_content_page(
    new_app: Callable[..., AppTest], services: Services, make_item: Callable[..., ContentItem]
) -> None:
    item = make_item(HOSTILE_TITLE)
    # What an old import or a direct write could have stored: a tag with a blank line.
    legacy = replace(item, summary="see https://evil.example, www.evil.example, a@evil.example",
                     tags=("a\n\n![x](https://evil.example/i.png)\n\n[y](https://evil.example)",),
                     author_name="<b>Mallory</b> https://evil.example")
    services.ports.content.update(legacy, item.version)

    browse = new_app()
    browse.run()
    browse.switch_page("app_pages/browse.py").run()
    assert not browse.exception
    assert HOSTILE_TITLE in card_titles(browse)
    _assert_inert(_markdown_sent(browse))

    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    assert as_shown(at.title[0].value) == HOSTILE_TITLE
    _assert_inert(_markdown_sent(at))


ODD_NAMES = ("__draft__ final.png", "[공지](안내).png")  # bold text, a link: as markdown


def test_file_names_show_as_typed_in_captions_and_labels(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    from services.domain.models import Upload

    item = make_item(uploads=tuple(Upload(name, png_bytes()) for name in ODD_NAMES))
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    captions = [shown.caption for image in at.image for shown in image.proto.imgs]
    assert sorted(captions) == sorted(map(md_escape, ODD_NAMES))

    editor = open_editor(new_app, "author-user", item.id)
    labels = [box.label for box in editor.checkbox]
    assert len(labels) == 2
    for name, label in zip(ODD_NAMES, labels, strict=True):
        assert label.startswith(md_escape(name) + " ")


def test_the_editor_preview_renders_the_body_once(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_editor(new_app, "author-user")
    at.text_area(key="ed_body").input(
        "# 미리보기\n\n- item\n\n  ```\n  [x](https://evil.example)\n\n"
        "  ![x](https://evil.example/i.png)\n  ```\n").run()
    assert not at.exception
    (shown,) = [b for b in _html_bodies(at) if "미리보기" in b]
    assert "<h1>미리보기</h1>" in shown and "<pre><code>[x](https://evil.example)" in shown
    assert "<a " not in shown and "<img" not in shown
    assert not any("evil" in str(m.value) for m in at.markdown)


def test_the_editor_preview_shows_the_items_files_in_place_as_the_page_does(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    from services.domain.models import Upload

    item = make_item(uploads=(Upload("diagram.png", png_bytes()),))
    unsaved = "01KJKB3Q005NRHCGNQ4TR480B2"  # not a file of this item (yet)
    body = (f"위\n\n![구성도](asset:{item.assets[0].id})\n\n아래\n\n"
            f"![새 그림](asset:{unsaved})")
    services.ports.content.update(replace(item, body=body), item.version)

    at = open_editor(new_app, "author-user", item.id)
    shown = [as_shown(m) for m in _in_order(at)]
    above, below = (next(i for i, m in enumerate(shown) if f"<p>{text}</p>" in m)
                    for text in ("위", "아래"))
    assert any("diagram.png" in m for m in shown[above:below])  # the file, drawn in place
    assert len(at.image) == 1
    assert not any("asset:" in m for m in shown)
    assert "본문에서 가리키는 파일(새 그림)이 이 항목에 없습니다." in [c.value for c in at.caption]


def test_a_body_that_is_only_a_file_reference_shows_without_error(
    new_app: Callable[..., AppTest], services: Services, make_item: Callable[..., ContentItem]
) -> None:
    from services.domain.models import Upload

    item = make_item(uploads=(Upload("diagram.png", png_bytes()),))
    body = f"\n\n![구성도](asset:{item.assets[0].id})\n\n"  # blank text on both sides
    services.ports.content.update(replace(item, body=body), item.version)
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    assert len(at.image) == 1
