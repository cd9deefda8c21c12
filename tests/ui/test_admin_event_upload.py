"""The admin page's usage-event import: check first, then import; strict mode; who sees it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.users import User
from services.imports.events import EventImporter
from tests.ui.conftest import assert_refused, errors, open_admin_page, texts

NOW = datetime.now(UTC)


def page_view(n: int) -> str:
    return json.dumps({"ts": (NOW - timedelta(hours=n + 1)).isoformat(), "type": "page_view",
                       "session_id": f"s{n}", "page": "home"})


FILE = "\n".join([page_view(0), "not json", page_view(1)]).encode()


def _upload(at: AppTest, data: bytes, name: str = "events.jsonl") -> AppTest:
    at.file_uploader(key="adm_events_file_0").set_value((name, data, "application/json"))
    return at.run()


def _stored(services: Services) -> int:
    return sum(1 for _ in services.ports.events.raw_events(NOW - timedelta(days=1), NOW))


def test_an_admin_checks_then_imports(new_app: Callable[..., AppTest], users: dict[str, User],
                                      services: Services) -> None:
    at = open_admin_page(new_app)
    assert "사용 이벤트 가져오기" in texts(at)
    assert '"type": "content_view"' in at.code[0].value  # the format's example line
    assert not [b for b in at.button if b.key == "adm_events_import"]

    _upload(at, FILE)
    at.button(key="adm_events_check").click().run()
    assert not at.exception and not errors(at)
    assert "3줄 중 정상 2줄, 오류 1줄." in texts(at)
    table = at.dataframe[-1].value
    assert table["줄"].tolist() == [2]
    assert table["이유"].tolist() == ["JSON으로 읽을 수 없습니다."]
    assert _stored(services) == 0  # checking writes nothing

    at.button(key="adm_events_import").click().run()
    assert not at.exception and not errors(at)
    assert "가져오기 완료: 새 이벤트 2건, 이미 있던 이벤트 0건, 건너뛴 줄 1건." in texts(at)
    assert _stored(services) == 2
    (entry,) = services.ports.audit.entries(action="events.import")
    assert (entry.actor, entry.target, entry.outcome) == ("admin-user", "events.jsonl",
                                                          "partial")
    assert at.file_uploader(key="adm_events_file_1").value is None  # emptied for the next file


def test_strict_mode_blocks_a_file_with_bad_lines(new_app: Callable[..., AppTest],
                                                  users: dict[str, User],
                                                  services: Services) -> None:
    at = open_admin_page(new_app)
    at.checkbox(key="adm_events_strict").check().run()
    _upload(at, FILE)
    at.button(key="adm_events_check").click().run()
    assert "엄격 모드로는 가져올 수 없습니다" in texts(at)
    assert not [b for b in at.button if b.key == "adm_events_import"]
    assert _stored(services) == 0


def test_the_english_page_shows_english_reasons(new_app: Callable[..., AppTest],
                                                users: dict[str, User]) -> None:
    at = new_app("admin-user")
    at.session_state["df_lang"] = "en"
    at.run()
    at.switch_page("app_pages/admin.py").run()
    _upload(at, FILE)
    at.button(key="adm_events_check").click().run()
    assert "3 lines: 2 good, 1 bad." in texts(at)
    assert at.dataframe[-1].value["Reason"].tolist() == ["Not valid JSON."]


def _section_as(role: str) -> None:
    """A script for AppTest.from_function: the section alone, for an actor with ``role``."""
    from services.bootstrap import build_services
    from services.domain.permissions import Actor, Role
    from services.settings import load_settings
    from services.ui.event_upload import events_import_section

    actor = Actor(f"{role}-user", roles=frozenset({Role(role)}))
    events_import_section(build_services(load_settings()), actor)


@pytest.mark.parametrize("role", ["viewer", "author", "analyst"])
def test_other_roles_do_not_see_it(role: str, new_app: Callable[..., AppTest],
                                   users: dict[str, User]) -> None:
    at = new_app(users[role].username)
    at.run()
    assert_refused(at, "app_pages/admin.py")  # the admin page is not theirs
    alone = AppTest.from_function(_section_as, args=(role,), default_timeout=30).run()
    assert not alone.exception
    assert not alone.get("file_uploader") and not alone.subheader

    admin = AppTest.from_function(_section_as, args=("admin",), default_timeout=30).run()
    assert [s.value for s in admin.subheader] == ["사용 이벤트 가져오기"]


INTERRUPTED = "파일의 처음 4줄에 있던 이벤트는 저장되었고"


def test_an_interrupted_import_is_audited_and_said_on_the_next_run(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A click while the import runs stops the run at the progress bar's next update: the lines
    stored so far stay, the audit says so, and the next run tells the admin."""
    real_init, real_write = EventImporter.__init__, EventImporter._write
    monkeypatch.setattr(EventImporter, "__init__",  # batches of 2 lines, so it stops midway
                        lambda self, *a, **kw: real_init(self, *a, **{**kw, "batch_size": 2}))
    writes: list[int] = []

    def write_then_click(self: EventImporter, batch: Any) -> Any:
        stored = real_write(self, batch)
        writes.append(len(batch))
        if len(writes) == 2:  # the click arrives while the second batch is written
            ctx = get_script_run_ctx()
            assert ctx is not None and ctx.script_requests is not None
            ctx.script_requests.request_stop()
        return stored

    monkeypatch.setattr(EventImporter, "_write", write_then_click)
    at = open_admin_page(new_app)
    _upload(at, "\n".join(page_view(n) for n in range(7)).encode())
    at.button(key="adm_events_check").click().run()
    at.button(key="adm_events_import").click().run()  # stopped after 4 of 7 lines
    assert not at.exception, at.exception
    assert _stored(services) == 4
    (entry,) = services.ports.audit.entries(action="events.import")
    assert (entry.outcome, entry.detail["lines_done"]) == ("interrupted", "4")

    at.run()  # the run the click started
    assert not at.exception and not errors(at)
    assert INTERRUPTED in texts(at)
    assert "같은 파일을 다시 가져와도 안전합니다" in texts(at)
    at.run()  # said once
    assert INTERRUPTED not in texts(at)

    at.button(key="adm_events_import").click().run()  # the same file again: the rest
    assert "가져오기 완료: 새 이벤트 3건, 이미 있던 이벤트 4건, 건너뛴 줄 0건." in texts(at)
    assert _stored(services) == 7
