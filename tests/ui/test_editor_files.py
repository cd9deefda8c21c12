"""The editor's files: every refused one is named (never dropped without a word), once, in one
message where it was chosen; each uploader says in Korean what its browser refuses in English;
and each stored file offers the reference that places it in the text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from services.bootstrap import Services
from services.domain.models import ContentItem, Upload
from services.domain.permissions import Actor
from services.domain.users import User
from services.ui.i18n import t
from tests.ui.conftest import as_shown, errors, png_bytes, texts
from tests.ui.test_field_errors import error_after, walk


def _editor(new_app: Callable[..., AppTest], content_id: str | None = None) -> AppTest:
    at = new_app("author-user")
    at.run()
    if content_id:
        at.query_params["id"] = content_id
    at.switch_page("app_pages/editor.py").run()
    assert not at.exception and not errors(at)
    return at


# No size of the app's own: the uploader lists the file's beside it, in its browser's unit.
BIG_MESSAGE = "'big.png' 파일이 너무 큽니다. 파일 하나는 1MB 이하여야 합니다."
FAKE_MESSAGE = ("'fake.png'은(는) 허용되지 않는 파일 형식입니다. 이미지, 동영상, 오디오, PDF만 올릴"
                " 수 있습니다.")
BROWSER_NOTE = ("2MB보다 큰 파일은 브라우저가 받지 않습니다. 파일 옆에 영어 메시지"
                " 'File must be … or smaller.'가 나오고, 그 파일은 앱에 전해지지 않습니다.")


def next_after_uploader(at: AppTest) -> tuple[str, str]:
    """What the page draws right after the uploader (its type and text)."""
    drawn = [node for node in walk(at.main)
             if not isinstance(node, Block) and node.type != "empty"]
    at_uploader = next(i for i, node in enumerate(drawn) if node.type == "file_uploader")
    following = drawn[at_uploader + 1]
    return following.type, as_shown(str(getattr(following, "value", "")))


def test_every_refused_file_is_named_once_under_the_uploader(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_MAX_UPLOAD_MB", "1")
    item = make_item("큰 파일 데모")
    at = _editor(new_app, item.id)
    # The uploader takes files somewhat over the app's limit, so the app sees them and can
    # name them; Streamlit's own English refusal is left for files over its cap.
    assert at.file_uploader[0].proto.max_upload_size_mb == 2
    assert "파일 하나당 최대 1MB" in texts(at)
    assert BROWSER_NOTE in texts(at)  # over the uploader's cap only Streamlit's English is shown

    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 2**19)
    at.file_uploader[0].set_value([("big.png", big, "image/png"),
                                   ("diagram.png", png_bytes(), "image/png"),
                                   ("fake.png", b"MZ" + b"\0" * 22, "image/png")])
    at.run()
    # Said at once, before saving, right under the uploader (its bytes are checked on save).
    assert [as_shown(e) for e in errors(at)] == [BIG_MESSAGE]
    assert next_after_uploader(at) == ("error", BIG_MESSAGE)  # before the limits' caption

    at.text_input(key="ed_title").input("큰 파일 데모 (수정)")
    at.button(key="ed_save").click().run()
    assert not at.exception
    # One message in the same place naming every refused file, a line each; the summary by
    # the button.
    shown = [as_shown(e) for e in errors(at)]
    assert shown == [as_shown(error_after(at, "ed_files") or ""), t("forms.fix_fields")]
    assert next_after_uploader(at) == ("error", shown[0])
    assert t("content.err_files", count=2) in shown[0]
    assert shown[0].index(BIG_MESSAGE) < shown[0].index(FAKE_MESSAGE)
    assert "diagram.png" not in shown[0]
    assert "저장했습니다" not in texts(at)
    stored = services.content.get(item.id, Actor.anonymous())
    assert stored.assets == () and stored.title == "큰 파일 데모"  # nothing saved in part
    assert at.text_input(key="ed_title").value == "큰 파일 데모 (수정)"  # the form is kept
    assert len(at.file_uploader[0].value) == 3


def test_the_event_import_uploader_also_lets_the_app_name_an_oversized_file(
    new_app: Callable[..., AppTest], users: dict[str, User],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.conftest import open_admin_page

    monkeypatch.setenv("DEMO_FACTORY_MAX_UPLOAD_MB", "1")
    at = open_admin_page(new_app)
    uploader = at.file_uploader(key="adm_events_file_0")
    assert uploader.proto.max_upload_size_mb == 2
    assert "최대 1MB" in texts(at)
    assert BROWSER_NOTE in texts(at)
    uploader.set_value(("huge.jsonl", b"{}\n" * 2**19, "application/json"))
    at.run()
    assert [as_shown(e) for e in errors(at)] == [
        "'huge.jsonl' 파일이 너무 큽니다. 파일 하나는 1MB 이하여야 합니다."]


def test_each_stored_file_offers_the_reference_that_places_it_in_the_text(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item("참조 데모", uploads=(Upload("diagram.png", png_bytes()),))
    (asset,) = item.assets
    at = _editor(new_app, item.id)
    reference = f"![diagram.png](asset:{asset.id})"
    assert [c.value for c in at.code] == [reference]  # st.code: Streamlit's copy button
    assert not at.image  # the body does not place it yet

    at.text_area(key="ed_body").input(f"구성도:\n\n{reference}\n").run()
    assert not at.exception and not errors(at)
    assert len(at.image) == 1  # the preview draws the file where the reference is
    assert "이 항목에 없습니다" not in texts(at)


def test_a_stored_file_s_size_reads_as_the_uploader_wrote_it(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    """The uploader said "109.4KB" and, after the save, the list said "(107 KB)"."""
    picture = png_bytes()
    picture += b"\0" * (109_400 - len(picture))  # what follows the image's end is ignored
    item = make_item("크기 데모", uploads=(Upload("pic.png", picture),))
    at = _editor(new_app, item.id)
    labels = [as_shown(c.label) for c in at.checkbox]
    assert [label for label in labels if "pic.png" in label] == ["pic.png (109.4KB) 삭제"]


def test_a_file_not_saved_yet_says_its_reference_comes_with_the_save(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = _editor(new_app)
    assert "저장하면" not in texts(at)
    at.file_uploader[0].set_value(("diagram.png", png_bytes(), "image/png"))
    at.run()
    assert any("저장하면" in c.value for c in at.caption)


def test_a_pdfs_reference_places_its_preview_in_the_text(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    from tests.ui.conftest import pdf_bytes

    item = make_item("PDF 참조", uploads=(Upload("guide.pdf", pdf_bytes(1)),))
    (asset,) = item.assets
    at = _editor(new_app, item.id)
    reference = f"![guide.pdf](asset:{asset.id})"
    assert [c.value for c in at.code] == [reference]  # the same form for every kind
    at.text_area(key="ed_body").input(f"설명서:\n\n{reference}\n").run()
    assert not at.exception and not errors(at)
    assert len(at.image) == 1 and len(at.get("download_button")) == 1  # preview, download
    assert "이 항목에 없습니다" not in texts(at)


def test_a_stored_file_goes_into_the_text_with_one_click(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    """A first-time author need not copy a 26-character reference by hand (nor find the copy
    button, which a touch screen shows only after a tap)."""
    item = make_item("넣기 데모", body="소개 문단", uploads=(Upload("diagram.png", png_bytes()),))
    (asset,) = item.assets
    at = _editor(new_app, item.id)
    reference = f"![diagram.png](asset:{asset.id})"
    at.button(key=f"ed_insert_{asset.id}").click().run()
    assert not at.exception and not errors(at)
    assert at.text_area(key="ed_body").value == f"소개 문단\n\n{reference}\n"
    assert len(at.image) == 1  # the preview places it
    # Placed once: the button gives way to a note saying where the file is.
    assert not [b for b in at.button if b.key == f"ed_insert_{asset.id}"]
    assert t("content.in_text") in texts(at)


def test_sizes_are_written_in_the_unit_of_the_browsers_uploader() -> None:
    """On Windows Streamlit's uploader counts 1 KB as 1024 bytes: the attached-files list said
    "109.4KB" beside an uploader that had said "106.8KB" for the same file."""
    from services.ui.uploads import size_base

    windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0"
    mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/131.0"
    assert (size_base(windows), size_base(mac), size_base("")) == (1024, 1000, 1000)


def test_after_a_file_goes_into_the_text_focus_stays_on_its_row(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem]
) -> None:
    """The pressed button gives way to "in the text": the keyboard's focus fell to the page's
    body, from where a keyboard user started again at the top. The note takes it (and a
    screen reader reads it), on the click's run only."""
    from services.ui import focus
    from tests.ui.test_outcome_in_view import in_view_scripts

    item = make_item("넣기 초점", body="소개", uploads=(Upload("a.png", png_bytes()),
                                                       Upload("b.png", png_bytes())))
    first, _ = item.assets
    at = _editor(new_app, item.id)
    assert not in_view_scripts(at, focus.INSERTED)
    at.button(key=f"ed_insert_{first.id}").click().run()
    assert in_view_scripts(at, focus.INSERTED)
    assert t("content.in_text") in texts(at)
    at.run()  # a later run of the page moves nothing
    assert not in_view_scripts(at, focus.INSERTED)
