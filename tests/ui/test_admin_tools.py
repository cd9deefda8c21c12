"""The admin tools' pages through AppTest: who sees them, that nothing runs on load, the Bedrock
check's diagnosis (clients injected through the Bedrock probe's ``make_clients``), the doctor,
and the audit log's filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock import check as bedrock_probe
from services.adapters.aws.bedrock.check import BedrockClients
from services.bootstrap import Services
from services.domain.checks import Message
from services.domain.models import AuditEntry, utcnow
from services.domain.users import User
from services.ops.audit_spool import SpooledAuditLog
from services.ui import admin_tools
from services.ui.widgets import WORD_JOINER
from tests.doubles.bedrock import REGION, stubbed
from tests.ui.conftest import assert_refused, errors, ko, texts

BEDROCK = "app_pages/admin_bedrock.py"
DOCTOR = "app_pages/admin_doctor.py"
AUDIT = "app_pages/admin_audit.py"
PAGES = {BEDROCK: "Amazon Bedrock 연결 점검", DOCTOR: "설정 진단", AUDIT: "감사 로그"}


def _start(new_app: Callable[..., AppTest], user: User) -> AppTest:
    at = new_app(user.username)
    at.run()
    assert not at.exception
    return at


def test_each_page_renders_for_an_admin_and_runs_nothing_on_load(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = _start(new_app, users["admin"])
    for page, title in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not errors(at), (page, errors(at))
        assert at.title[0].value == title

    assert services.ports.audit.entries(action="bedrock.check") == []
    assert services.ports.audit.entries(action="doctor.run") == []


@pytest.mark.parametrize("role", ["viewer", "author", "analyst"])
def test_the_pages_do_not_exist_for_other_roles(
    role: str, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = _start(new_app, users[role])
    for page in PAGES:
        assert_refused(at, page)


def test_the_bedrock_check_shows_the_diagnosis_and_its_fix(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sts, stub = stubbed("sts")
    stub.add_client_error("get_caller_identity", "ExpiredToken",
                          "The security token included in the request is expired", 403)
    monkeypatch.setattr(bedrock_probe, "make_clients",
                        lambda settings: BedrockClients(sts, None, None, REGION))
    at = _start(new_app, users["admin"])
    at.switch_page(BEDROCK).run()

    at.button(key="adm_bedrock_run").click().run()

    assert not at.exception
    shown = texts(at)
    assert "AWS 세션이 만료되었습니다(ExpiredToken)" in shown
    assert "자격 증명을 갱신하세요" in shown  # the fix
    assert "앞 단계가 실패하여 건너뛰었습니다." in shown
    [entry] = services.ports.audit.entries(action="bedrock.check")
    assert (entry.actor, entry.outcome) == (users["admin"].username, "failed")


def test_in_the_emulation_the_check_page_says_there_is_no_bedrock(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the doctor says it: the emulator has no Bedrock, so nothing is offered to run."""
    def never(settings: object) -> BedrockClients:
        raise AssertionError("the emulation's Bedrock is never called")

    monkeypatch.setattr(bedrock_probe, "make_clients", never)
    monkeypatch.setenv("DEMO_FACTORY_EMULATION", "true")
    at = _start(new_app, users["admin"])
    at.switch_page(BEDROCK).run()

    assert not at.exception and not errors(at)
    assert ko("admin_tools.bedrock_emulated") in [i.value for i in at.info]
    assert [b for b in at.button if b.key == "adm_bedrock_run"] == []


def test_an_address_in_a_diagnosis_copies_as_it_is_and_is_no_link() -> None:
    endpoint = "http://127.0.0.1:9/foundation-models"
    shown = admin_tools.render(Message("llm.err_unreachable", {"endpoint": endpoint}))

    assert f"`{endpoint}`" in shown  # code: never linked, copied without an invisible joiner
    assert WORD_JOINER not in shown


@pytest.fixture
def no_aws_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield


@pytest.mark.usefixtures("no_aws_credentials")
def test_local_mode_without_credentials_shows_the_no_credentials_diagnosis(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = _start(new_app, users["admin"])
    at.switch_page(BEDROCK).run()

    at.button(key="adm_bedrock_run").click().run()

    assert not at.exception
    shown = texts(at)
    assert "앱에 AWS 자격 증명이 없어 Amazon Bedrock을 호출할 수 없습니다." in shown
    assert "IAM 역할" in shown  # the fix
    assert "AWS_ACCESS_KEY_ID" in shown  # by the settings' names
    assert "관리자가" not in shown  # the reader is the administrator: what to do, not whom to ask
    # The diagnosis does not send the administrator to the page they are on.
    assert "관리 › Bedrock 점검" not in shown


def test_the_doctor_runs_on_click_and_lists_its_checks(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = _start(new_app, users["admin"])
    at.switch_page(DOCTOR).run()
    assert services.ports.audit.entries(action="doctor.run") == []

    at.button(key="adm_doctor_run").click().run()

    assert not at.exception
    # The skipped Bedrock check is no passed one.
    summary = [s.value for s in at.success][-1]
    assert summary == "local 모드: 점검 9개를 통과했고 1개(bedrock)는 건너뛰었습니다."
    shown = texts(at)
    for check in ("local.data_dir", "local.sqlite", "font", "cookie_key", "streamlit.upload"):
        assert f"`{check}`" in shown
    assert "Bedrock 점검을 건너뛰었습니다: 이번 진단에서 뺐습니다" in shown
    # A check that did not run is not shown as passed.
    marks = {m.value.split("` ")[0].split(" `")[-1]: m.value.split(" `")[0]
             for m in at.markdown if " `" in m.value}
    assert marks["bedrock"] == ":gray[:material/skip_next:]"
    assert marks["font"] == ":green[:material/check_circle:]"
    [entry] = services.ports.audit.entries(action="doctor.run")
    assert entry.outcome == "ok"


class _StoreDown:
    """An audit store that refuses every write (DynamoDB or SQLite failing)."""

    def record(self, entry: AuditEntry) -> None:
        raise OSError("audit store down")

    def entries(self, *args: object, **kwargs: object) -> list[AuditEntry]:
        return []


def test_the_audit_page_says_when_entries_wait_for_the_store(
    new_app: Callable[..., AppTest], users: dict[str, User], app_env: Path
) -> None:
    at = _start(new_app, users["admin"])
    at.switch_page(AUDIT).run()
    assert not at.warning  # nothing waits

    # Two entries the store refused while the app ran: kept in the app's data dir.
    refused = SpooledAuditLog(_StoreDown(), app_env)
    for target in ("kim", "lee"):
        refused.record(AuditEntry(utcnow(), "root", "user.create", target, "ok"))
    at.run()
    korean = [w.value for w in at.warning]
    at.radio(key="df_lang_widget").set_value("en").run()

    assert not at.exception
    assert korean == [ko("admin_tools.audit_waiting", count=2)]
    assert "감사 기록 2건을 아직 저장하지 못했습니다" in korean[0]
    assert [w.value for w in at.warning] == [
        "2 audit entries could not be written yet; they are kept and will be written when "
        "the audit store answers."]


def test_the_audit_filters_narrow_the_rows_and_export_csv(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    audit = services.ports.audit
    for actor, action in (("root", "bedrock.check"), ("root", "bedrock.check"),
                          ("alice", "content.create")):
        audit.record(AuditEntry(utcnow(), actor, action, "target", "ok"))
    total = len(audit.entries())
    at = _start(new_app, users["admin"])
    at.switch_page(AUDIT).run()
    assert len(at.dataframe[0].value) == total

    at.selectbox(key="adm_audit_action").select("bedrock.check").run()
    checks = at.dataframe[0].value
    at.selectbox(key="adm_audit_action").select("").run()
    at.selectbox(key="adm_audit_actor").select("alice").run()
    alice = at.dataframe[0].value

    assert not at.exception
    assert len(checks) == 2 < total
    assert set(checks["작업"]) == {"Bedrock 연결 점검"}
    assert list(alice["사용자"]) == ["alice"]
    assert len(at.get("download_button")) == 1


def test_orphan_files_are_listed_first_and_removed_after_confirming(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    from datetime import datetime

    from services.domain.models import stable_id

    old = datetime(2024, 1, 2).astimezone()
    orphan = f"content/{stable_id(old, 'item')}/{stable_id(old, 'asset')}/left-over.png"
    services.ports.blobs.put(orphan, b"bytes", "image/png")
    at = _start(new_app, users["admin"])
    at.switch_page("app_pages/admin.py").run()

    at.button(key="adm_orphans_scan").click().run()

    assert not at.exception and not errors(at)
    assert "어떤 콘텐츠도 쓰지 않는 파일 1개가 있습니다." in texts(at)
    assert at.dataframe[0].value.iloc[0, 0] == orphan
    assert services.ports.blobs.exists(orphan)  # the scan is a dry run

    at.button(key="adm_orphans_yes").click().run()

    assert not at.exception and not errors(at)
    assert "고아 파일 1개를 지웠습니다." in texts(at)
    assert not services.ports.blobs.exists(orphan)
    [entry] = services.ports.audit.entries(action="content.orphans_remove")
    assert (entry.actor, entry.detail["removed"]) == (users["admin"].username, "1")


def test_after_a_cleanup_with_a_failed_delete_only_what_is_left_is_offered(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import datetime

    from services.adapters.localfs import LocalBlobStore
    from services.domain.models import stable_id
    from services.errors import ServiceUnavailable

    old = datetime(2024, 1, 2).astimezone()
    keys = [f"content/{stable_id(old, n + 'item')}/{stable_id(old, n)}/{n}.png"
            for n in ("a", "b", "c")]
    for key in keys:
        services.ports.blobs.put(key, b"bytes", "image/png")
    stuck = keys[1]
    real_delete = LocalBlobStore.delete

    def delete(self: LocalBlobStore, key: str) -> None:
        if key == stuck:  # the store fails for this one file
            raise ServiceUnavailable("errors.service_unavailable")
        real_delete(self, key)

    monkeypatch.setattr(LocalBlobStore, "delete", delete)
    at = _start(new_app, users["admin"])
    at.switch_page("app_pages/admin.py").run()
    at.button(key="adm_orphans_scan").click().run()
    assert "어떤 콘텐츠도 쓰지 않는 파일 3개가 있습니다." in texts(at)

    at.button(key="adm_orphans_yes").click().run()

    assert not at.exception
    shown = texts(at)
    assert "고아 파일 2개를 지웠습니다." in shown
    assert "파일 1개는 지우지 못했습니다. 잠시 뒤 다시 시도하세요." in shown
    # What is left, not what the scan found before the removal.
    assert "어떤 콘텐츠도 쓰지 않는 파일 1개가 있습니다." in shown
    assert at.dataframe[0].value.iloc[:, 0].tolist() == [stuck]
    assert [w.value for w in at.warning if "지울까요" in w.value] == [
        "위 파일 1개를 지울까요? 지운 파일은 되돌릴 수 없습니다. 지우기 직전에 다시 확인하므로 "
        "그사이 쓰이게 된 파일은 남습니다."]
    assert [k for k in keys if services.ports.blobs.exists(k)] == [stuck]


def test_the_audit_log_reads_as_words_with_titles_and_the_csv_keeps_keys(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    from datetime import datetime

    from services.domain.models import Category, ContentDraft
    from services.ops.audit_view import AuditQuery

    item = services.content.create(ContentDraft("RAG 데모", "요약", "본문", Category.GENERATIVE_AI),
                                   (), users["author"].as_actor())
    services.ports.audit.record(AuditEntry(utcnow(), "bob", "content.delete", "gone-id", "ok"))
    services.ports.audit.record(AuditEntry(utcnow(), "bob", "future.thing", "x", "ok"))
    services.ports.audit.record(AuditEntry(utcnow(), "bob", "user.set_roles",
                                           "vera:author,viewer", "ok"))
    at = _start(new_app, users["admin"])
    at.switch_page(AUDIT).run()

    rows = at.dataframe[0].value
    shown = dict(zip(rows["작업"], rows["대상"], strict=True))
    assert shown["콘텐츠 작성"] == f"RAG 데모 ({item.id})"
    role_change = next(target for target in rows["대상"] if target.startswith("vera"))
    assert role_change == "vera: 작성자, 열람자"  # roles by name, not "author,viewer"
    assert shown["콘텐츠 삭제"] == "gone-id"  # the item no longer exists: its id only
    assert shown["future.thing"] == "x"  # no label: the raw key
    today = datetime.now(services.settings.tz).date()
    entries = services.ops.audit_entries(users["admin"].as_actor(), AuditQuery(today, today))
    csv = admin_tools.audit_csv(services, users["admin"].as_actor(), entries,
                                "ko").decode("utf-8-sig")
    assert f",content.create,{item.id}," in csv and f",RAG 데모 ({item.id})," in csv


def test_the_audit_log_names_visitors_inquiries_and_funnels_as_their_pages_do(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    """"anonymous" stood in the Korean log, an inquiry by its internal id and a funnel by its
    raw id; the CSV keeps them as written."""
    from services.domain.funnels import Step, StepKind
    from services.domain.inquiries import InquiryDraft, InquiryType, reference
    from services.domain.permissions import Actor

    inquiry = services.inquiries.submit(Actor.anonymous(), InquiryDraft(
        "김민수", "kim@example.com", "", InquiryType.OTHER, "문의", "내용", True), "visit-1")
    assert services.funnels is not None
    funnel = services.funnels.create(users["admin"].as_actor(), "홈 → 콘텐츠",
                                     [Step(StepKind.PAGE, "home"),
                                      Step(StepKind.PAGE, "content")], 30)
    at = _start(new_app, users["admin"])
    at.switch_page(AUDIT).run()

    rows = at.dataframe[0].value
    by_action = {action: (who, target) for who, action, target
                 in zip(rows["사용자"], rows["작업"], rows["대상"], strict=True)}
    assert by_action["문의 접수"] == ("방문자 (로그인 안 함)", reference(inquiry.id))
    assert by_action["퍼널 정의"][1] == f"홈 → 콘텐츠 ({funnel.id})"
    assert "anonymous" not in set(rows["사용자"])
    csv = services.ops.audit_csv(services.ports.audit.entries()).decode("utf-8-sig")
    assert f",anonymous,inquiry.submit,{inquiry.id}," in csv


def test_outcomes_read_as_words_and_a_cut_off_log_says_so(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.ops import audit_view

    for outcome in ("rate_limited", "denied", "brand-new"):
        services.ports.audit.record(AuditEntry(utcnow(), "bob", "contact.submit", "x", outcome))
    at = _start(new_app, users["admin"])
    at.switch_page(AUDIT).run()
    outcomes = set(at.dataframe[0].value["결과"])
    assert {"횟수 제한 초과", "거부됨", "brand-new"} <= outcomes  # no label: the raw key
    assert "rate_limited" not in outcomes
    assert not at.warning

    monkeypatch.setattr(audit_view.AuditQuery.__init__, "__defaults__",
                        (None, None, 2))  # actor, action, limit
    at.run()
    assert len(at.dataframe[0].value) == 2
    assert "처음 2건만 보여 줍니다" in at.warning[0].value


def test_the_audit_log_shows_details_and_counted_targets_in_words(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    audit = services.ports.audit
    audit.record(AuditEntry(utcnow(), "root", "content.remove_samples", "40 items", "ok",
                            {"events": "12345"}))
    audit.record(AuditEntry(utcnow(), "root", "bedrock.check", "m1", "failed",
                            {"aws_region": "us-east-1", "credentials": "ok",
                             "converse": "llm.err_throttled"}))
    audit.record(AuditEntry(utcnow(), "root", "future.thing", "x", "ok", {"newer": "1"}))
    at = _start(new_app, users["admin"])
    at.switch_page(AUDIT).run()

    rows = at.dataframe[0].value
    by_action = {action: (target, detail) for action, target, detail
                 in zip(rows["작업"], rows["대상"], rows["상세"], strict=True)}
    assert by_action["샘플 콘텐츠 삭제"] == ("항목 40개", "이벤트: 12,345")
    bedrock = by_action["Bedrock 연결 점검"][1]
    assert "자격 증명과 호출자 확인(STS): 성공" in bedrock and "AWS 리전: us-east-1" in bedrock
    assert "llm.err_" not in bedrock and "aws_region" not in bedrock
    assert by_action["future.thing"][1] == "newer: 1"  # unknown key: shown as it is

    at.radio(key="df_lang_widget").set_value("en").run()
    assert not at.exception, at.exception
    rows = at.dataframe[0].value
    by_action = dict(zip(rows["Action"], zip(rows["Target"], rows["Detail"], strict=True),
                         strict=True))
    assert by_action["Sample content removed"] == ("40 items", "Events: 12,345")
    assert "Credentials and caller identity (STS): OK" in by_action[
        "Bedrock connection check"][1]


def test_in_the_emulation_the_bedrock_page_says_there_is_no_bedrock(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not "unreachable … try again later" with network advice: the doctor's own reason."""
    monkeypatch.setenv("DEMO_FACTORY_EMULATION", "true")
    at = _start(new_app, users["admin"])
    at.switch_page(BEDROCK).run()

    assert not at.exception and not errors(at)
    assert "AWS 에뮬레이션(DEMO_FACTORY_EMULATION=true)에는 Bedrock이 없어" in texts(at)
    assert not [b for b in at.button if b.key == "adm_bedrock_run"]
    assert services.ports.audit.entries(action="bedrock.check") == []


def test_the_audit_csv_keeps_codes_and_ids_and_adds_the_page_words_beside_them(
    services: Services, users: dict[str, User]
) -> None:
    """The CSV held only codes (`inquiry.submit`), an inquiry's internal id where the page and
    its sender have "Q-…", and a Bedrock step's message key; someone filtering a spreadsheet by
    the inquiry number found nothing. The codes stay, the page's words stand beside them."""
    import csv
    import io

    from services.domain.inquiries import InquiryDraft, InquiryType, reference
    from services.domain.permissions import Actor

    inquiry = services.inquiries.submit(Actor.anonymous(), InquiryDraft(
        "김민수", "kim@example.com", "", InquiryType.OTHER, "문의", "내용", True), "visit-1")
    services.ports.audit.record(AuditEntry(
        utcnow(), "boss", "bedrock.check", "some-model", "failed",
        {"aws_region": "-", "credentials": "llm.err_no_credentials", "models": "skipped"}))
    services.ports.audit.record(AuditEntry(utcnow(), "=boss", "auth.login", "=boss", "ok"))
    admin = users["admin"].as_actor()
    entries = services.ports.audit.entries()

    text = admin_tools.audit_csv(services, admin, entries, "ko").decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(text)))
    by_action = {row["action"]: row for row in rows}
    sent = by_action["inquiry.submit"]
    assert (sent["actor"], sent["target"]) == ("anonymous", inquiry.id)  # codes and ids kept
    assert sent["작업 (화면 표기)"] == "문의 접수"
    assert sent["대상 (화면 표기)"] == reference(inquiry.id)
    assert sent["사용자 (화면 표기)"] == "방문자 (로그인 안 함)"
    check = by_action["bedrock.check"]
    assert "llm.err_no_credentials" in check["detail"]
    assert "llm.err_" not in check["상세 (화면 표기)"]
    assert "자격 증명" in check["상세 (화면 표기)"]
    assert check["결과 (화면 표기)"] == "실패"
    login = by_action["auth.login"]
    assert login["사용자 (화면 표기)"] == "'=boss"  # still inert text
    english = admin_tools.audit_csv(services, admin, entries, "en").decode("utf-8-sig")
    assert ",Inquiry received," in english
    assert next(csv.reader(io.StringIO(english)))[6:] == [
        "Actor (as shown)", "Action (as shown)", "Target (as shown)", "Outcome (as shown)",
        "Detail (as shown)"]
