"""The audit log's detail and target columns read as words in the admin's language, while the
entries keep their raw keys (the CSV shows those); a key this version does not know is shown
as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain.inquiries import reference
from services.domain.models import AuditEntry
from services.ui.audit_words import actor_text, detail_text, target_text

TZ = ZoneInfo("Asia/Seoul")
MODEL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"


def _entry(action: str, target: str = "x", outcome: str = "ok", **detail: str) -> AuditEntry:
    return AuditEntry(datetime(2026, 3, 2, tzinfo=UTC), "root", action, target, outcome,
                      dict(detail))


@pytest.mark.parametrize(("lang", "events", "items"), [
    ("ko", "이벤트: 12,345", "항목 1,200개"),
    ("en", "Events: 12,345", "1,200 items"),
])
def test_a_sample_removal_reads_its_counts_with_separators(lang: str, events: str,
                                                          items: str) -> None:
    entry = _entry("content.remove_samples", "1200 items", events="12345")
    assert detail_text(entry, lang, TZ) == events
    assert target_text(entry, {}, lang) == items


def test_one_item_is_singular_in_english() -> None:
    assert target_text(_entry("content.samples_loaded", "1 items"), {}, "en") == "1 item"
    assert target_text(_entry("content.samples_loaded", "40 items"), {}, "ko") == "항목 40개"
    assert target_text(_entry("user.export", "3 users"), {}, "ko") == "사용자 3명"


def _bedrock() -> AuditEntry:
    return _entry("bedrock.check", MODEL, "failed", aws_region="us-east-1", credentials="ok",
                  region="ok", models="ok", model_access="llm.err_model_access",
                  converse="skipped")


def test_a_bedrock_check_names_its_steps_and_outcomes_in_words() -> None:
    text = detail_text(_bedrock(), "ko", TZ)
    assert "AWS 리전: us-east-1" in text
    assert "자격 증명과 호출자 확인(STS): 성공" in text
    assert "Converse 호출: 건너뜀" in text
    # The failed step's message, with the model the entry names (its target).
    assert f"이 AWS 계정에는 {MODEL} 사용 권한" in text
    for raw in ("llm.err_", "aws_region", "model_access", "=", "{"):
        assert raw not in text, raw


def test_a_bedrock_check_reads_in_english() -> None:
    text = detail_text(_bedrock(), "en", TZ)
    assert "Credentials and caller identity (STS): OK" in text
    assert "Converse call: Skipped" in text
    assert f"not been granted access to {MODEL}" in text
    assert "llm.err_" not in text and "aws_region" not in text


def test_a_failed_step_without_every_parameter_leaves_no_placeholder() -> None:
    entry = _entry("bedrock.check", MODEL, "failed", aws_region="-",
                   credentials="llm.err_bad_credentials", region="skipped")
    text = detail_text(entry, "ko", TZ)
    assert "AWS가 앱의 자격 증명을 거부했습니다" in text
    assert "{" not in text and "llm.err_" not in text


@pytest.mark.parametrize(("lang", "words"), [
    ("ko", ("보고서 종류: 무엇이 바뀌었나", "보고서 언어: English",
            f"모델: Amazon Bedrock · {MODEL}", "토큰: 1,500")),
    ("en", ("Report type: What changed", "Report language: English",
            f"Model: Amazon Bedrock · {MODEL}", "Tokens: 1,500")),
])
def test_a_report_names_its_type_and_language(lang: str, words: tuple[str, ...]) -> None:
    entry = _entry("report.generate", "r1", "unfinished", type="what_changed", language="en",
                   model=MODEL, tokens="1500")
    text = detail_text(entry, lang, TZ)
    for word in words:
        assert word in text
    assert "what_changed" not in text


@pytest.mark.parametrize(("lang", "words"), [
    ("ko", "모델: 오프라인 내레이터(클라우드 없음, 무료)"),
    ("en", "Model: Offline narrator (no cloud, free)"),
])
def test_an_offline_report_names_its_model_as_the_report_page_does(lang: str,
                                                                   words: str) -> None:
    entry = _entry("report.generate", "r1", type="overall", model="offline-narrator")
    assert words in detail_text(entry, lang, TZ)


def test_an_unknown_key_or_value_is_shown_as_it_is() -> None:
    entry = _entry("report.generate", "r1", type="next_year_type", future_key="value 1")
    text = detail_text(entry, "ko", TZ)
    assert "보고서 종류: next_year_type" in text
    assert "future_key: value 1" in text


def test_the_doctor_names_its_failed_checks_as_its_page_does() -> None:
    entry = _entry("doctor.run", "config", "failed", failed="local.data_dir, font")
    assert detail_text(entry, "ko", TZ) == "실패한 점검: local.data_dir, font"
    assert target_text(entry, {}, "ko") == "설정"
    # The orphan cleanup's "failed" is a count of files, not of checks.
    orphans = _entry("content.orphans_remove", "files", failed="2", removed="1234")
    assert "1,234" in detail_text(orphans, "ko", TZ)
    assert "실패한 점검" not in detail_text(orphans, "ko", TZ)
    assert target_text(orphans, {}, "ko") != "files"


def test_a_funnel_name_of_digits_is_not_read_as_a_count() -> None:
    entry = _entry("funnel.create", "f1", name="2026", steps="3")
    assert detail_text(entry, "en", TZ) == "Name: 2026 · Steps: 3"


def test_a_restore_names_the_backup_time_in_the_app_s_zone() -> None:
    entry = _entry("ops.restore", "/backups/x",
                   backup_created_at="2026-03-02T00:30:00+00:00")
    assert detail_text(entry, "ko", TZ).endswith("2026-03-02 09:30 KST")


def test_an_import_reads_its_flags_and_first_bad_line() -> None:
    entry = _entry("events.import", "events.jsonl", "partial", lines="2000", strict="false",
                   first_bad_line="12: imports.events_bad_json")
    text = detail_text(entry, "ko", TZ)
    assert "2,000" in text and "아니요" in text
    assert "imports.events_bad_json" not in text and "12" in text


@pytest.mark.parametrize(("action", "target", "outcome", "ko", "en"), [
    ("auth.forgot_password", "ab12cd34/visit", "rate_limited", "방문 ab12cd34", "ab12cd34"),
    ("user.signup", "ab12cd34/instance", "rate_limited", "서버", "server"),
    ("inquiry.submit", "ab12cd34/global", "rate_limited", "전체 방문자", "all visitors"),
    ("auth.forgot_password", "-", "unknown", "대상 없음", "No target"),
    ("user.list", "*", "denied", "전체", "All"),
    ("audit.view", "audit", "denied", "감사 로그", "Audit log"),
])
def test_targets_that_are_codes_read_as_words(action: str, target: str, outcome: str,
                                              ko: str, en: str) -> None:
    entry = _entry(action, target, outcome)
    assert ko in target_text(entry, {}, "ko")
    assert en in target_text(entry, {}, "en")
    assert target_text(entry, {}, "en") != target


def test_a_user_named_like_a_word_keeps_its_name() -> None:
    # "audit" and "files" are valid user names: only the actions that mean the log or the
    # file store get the words.
    assert target_text(_entry("user.delete", "audit"), {}, "ko") == "audit"
    assert target_text(_entry("user.delete", "files"), {}, "ko") == "files"
    assert target_text(_entry("user.delete", "40 items"), {}, "ko") == "40 items"


def test_user_targets_name_roles_statuses_and_languages() -> None:
    assert target_text(_entry("user.set_roles", "vera:author,viewer"), {}, "ko") == \
        "vera: 작성자, 열람자"
    assert target_text(_entry("user.role_request", "vera:author"), {}, "ko") == "vera: 작성자"
    assert target_text(_entry("user.signup", "vera:pending"), {}, "ko") == "vera: 승인 대기"
    assert target_text(_entry("user.profile_language", "vera:en"), {}, "ko") == \
        "vera: English"
    assert target_text(_entry("inquiry.list", "handled"), {}, "ko") == "처리 완료"


def test_an_item_s_title_is_shown_beside_its_id() -> None:
    entry = _entry("content.update", "c1")
    assert target_text(entry, {"c1": "RAG 데모"}, "ko") == "RAG 데모 (c1)"
    assert target_text(_entry("content.delete", "gone"), {}, "ko") == "gone"


@pytest.mark.parametrize(("actor", "ko", "en"), [
    ("anonymous", "방문자 (로그인 안 함)", "Anonymous visitor"),
    ("system", "앱 (자동)", "The app (automatic)"),
    ("cli", "명령줄 스크립트", "Command-line script"),
    ("script:backup", "스크립트: backup", "Script: backup"),
])
def test_actors_that_are_no_person_read_as_words(actor: str, ko: str, en: str) -> None:
    """"anonymous" stood as it is in the Korean log."""
    assert (actor_text(actor, "ko"), actor_text(actor, "en")) == (ko, en)


def test_a_person_is_shown_by_their_user_name() -> None:
    assert actor_text("alice", "ko") == "alice"
    assert actor_text("scripted", "en") == "scripted"


@pytest.mark.parametrize("action", ["inquiry.submit", "inquiry.handled", "inquiry.reopened",
                                    "inquiry.notify"])
def test_an_inquiry_is_named_by_the_number_its_page_shows(action: str) -> None:
    inquiry_id = "01KBX3Z9WQ7M2P4R6TK5G9KTDQ"
    assert target_text(_entry(action, inquiry_id), {}, "ko") == reference(inquiry_id)
    assert reference(inquiry_id) == "Q-K5G9-KTDQ"


def test_a_refused_inquiry_still_names_the_visit_and_the_limit() -> None:
    entry = _entry("inquiry.submit", "abcd1234/visit", "rate_limited")
    assert target_text(entry, {}, "ko") == "방문 abcd1234 · 방문당 한도"
