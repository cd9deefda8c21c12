"""The AI report page through AppTest: who sees it, generating an offline report (the
narrative with zero unmatched numbers), the token budget message, history open and delete."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from urllib3.exceptions import ProtocolError

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.adapters.aws.bedrock.llm import BedrockLLM
from services.analytics.tables import load_catalog
from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.llm import LLMRequest
from services.domain.models import Category, ContentItem
from services.domain.reports import Report
from services.domain.users import User
from services.errors import ServiceUnavailable
from services.settings import Settings
from services.ui.report_pdf import PDF_CACHE_KEY
from services.ui.reports import CONTEXT_OPEN_KEY
from tests.doubles.bedrock import StreamingRuntime, stream_events
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import assert_refused, errors, ko, texts

REPORTS = "app_pages/reports.py"
# A footnote marker's end: its source, read out by a screen reader, then </sup>
_SR = r"<span [^>]*>[^<]*</span></sup>"


def seed(services: Services, item: ContentItem) -> None:
    """Yesterday: 40 page views and 12 views of ``item``; 40 days ago (in the period before
    the default 30 days) 20 page views."""
    tz = services.settings.tz
    base = datetime.combine(services.analytics.today(), time(10), tzinfo=tz)
    events = [Event(id=f"pv{n:03d}", ts=base - timedelta(days=1), type=EventType.PAGE_VIEW,
                    session_id=f"s{n % 5}", page="home") for n in range(40)]
    events += [Event(id=f"cv{n:03d}", ts=base - timedelta(days=1),
                     type=EventType.CONTENT_VIEW, session_id="s1", content_id=item.id,
                     category=str(item.category), author_id=item.author_id)
               for n in range(12)]
    events += [Event(id=f"old{n:03d}", ts=base - timedelta(days=40), type=EventType.PAGE_VIEW,
                     session_id="s9", page="home") for n in range(20)]
    services.ports.events.append(events)


def saved_reports(services: Services) -> list[Report]:
    """The saved reports, whole (the store lists their summaries)."""
    store = services.ports.reports
    return [store.get(listed.id) for listed in store.list()]


@pytest.fixture
def seeded(services: Services, make_item: Callable[..., ContentItem]) -> Services:
    seed(services, make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI))
    return services


def open_reports(new_app: Callable[..., AppTest], username: str) -> AppTest:
    at = new_app(username)
    at.run()
    at.switch_page(REPORTS).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    return at


def generate_key(at: AppTest) -> str:
    """The key of the "generate" button as drawn: it carries the form's submission token."""
    (key,) = [b.key for b in at.button if b.key and b.key.startswith("rep_generate")]
    return key


def generate(at: AppTest) -> AppTest:
    at.button(key=generate_key(at)).click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_see_the_page(new_app: Callable[..., AppTest],
                                          users: dict[str, User], role: str) -> None:
    at = open_reports(new_app, users[role].username)
    assert "AI 인사이트 보고서" in texts(at)
    assert at.button(key=generate_key(at)).disabled is False
    # The period's sentence ends before the next one starts.
    [caption] = [c.value for c in at.caption if "비교 기간" in c.value]
    assert re.search(r"\d{4}-\d{2}-\d{2}\. 최대 \d+초마다", caption), caption


@pytest.mark.parametrize("role", ["viewer", "author"])
def test_viewers_and_authors_cannot_open_it(new_app: Callable[..., AppTest],
                                            users: dict[str, User], role: str) -> None:
    at = new_app(users[role].username)
    at.run()
    assert_refused(at, REPORTS)


def test_an_offline_report_is_generated_grounded_and_saved(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_reports(new_app, users["analyst"].username)
    assert "오프라인 내레이터는" in texts(at)  # no tokens, no cost for the offline narrator
    generate(at)

    text = texts(at)
    assert "보고서를 만들어 기록에 저장했습니다" in text
    # The narrative, rendered once to HTML (st.html).
    # Each cited figure carries a numbered footnote marker (its data path in the table below).
    assert "<h2>요약</h2>" in text and re.search(rf"40회<sup [^>]*>\[\d+\]{_SR}", text)
    assert re.search(rf"\+100\.0%<sup [^>]*>\[\d+\]{_SR}", text)  # against 20 page views
    assert "<code>" not in text
    assert "숫자 확인: 본문의 숫자" in text and "모두 보고서 데이터와 일치합니다" in text
    assert "<mark" not in text
    (saved,) = saved_reports(seeded)
    assert saved.grounding.ok and saved.grounding.checked > 0
    assert saved.created_by == users["analyst"].username
    assert saved.model_id == "offline-narrator"
    assert "40회 `kpis[1].value`" in saved.narrative  # the saved text keeps the paths


def test_a_generated_report_is_drawn_by_the_click_s_own_run(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The stream makes way for the message and the saved report below it, each shown once,
    and the page is not run a second time (which redrew all of it)."""
    at = open_reports(new_app, users["analyst"].username)

    def rerun(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was run a second time")

    monkeypatch.setattr(st, "rerun", rerun)
    generate(at)
    narratives = [e.proto.body for e in at.get("html") if "<h2>요약</h2>" in e.proto.body]
    assert len(narratives) == 1
    assert [s.value for s in at.success].count("보고서를 만들어 기록에 저장했습니다.") == 1
    assert at.get("download_button")  # the saved report's PDF


def test_the_saved_notice_stays_on_the_runs_after_the_click(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    """The run that draws the finished PDF's button (or any choice changed) keeps the notice
    where the report was written: gone, the report jumped up a second after it appeared."""
    at = generate(open_reports(new_app, users["analyst"].username))
    notice = "보고서를 만들어 기록에 저장했습니다."
    at.run()
    assert [s.value for s in at.success].count(notice) == 1
    assert any("<h2>요약</h2>" in e.proto.body for e in at.get("html"))


def test_the_data_sent_is_the_report_s_context(new_app: Callable[..., AppTest],
                                               users: dict[str, User], seeded: Services) -> None:
    at = open_reports(new_app, users["admin"].username)
    assert not at.get("json")  # drawn only when its expander is opened
    at.session_state[CONTEXT_OPEN_KEY] = True
    at.run()
    shown = at.get("json")[0]
    generate(at)
    (saved,) = saved_reports(seeded)
    import json

    assert json.loads(shown.proto.body) == saved.context


def test_the_budget_message_when_it_is_exceeded(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # Bedrock looks configured
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("DEMO_FACTORY_REPORT_DAILY_TOKEN_BUDGET", "1000")
    at = open_reports(new_app, users["analyst"].username)
    model = at.selectbox(key="rep_model_ko")
    assert any("Amazon Bedrock" in label for label in model.options)
    model.set_value(f"bedrock:{Settings().bedrock_model_id}").run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("오늘의 보고서 토큰 예산을 넘습니다" in w for w in warnings), warnings
    assert at.button(key=generate_key(at)).disabled is True
    assert [m.label for m in at.metric][:2] == ["입력 토큰(추정)", "출력 토큰(최대)"]


def open_tab(at: AppTest, label: str) -> AppTest:
    """The page draws one tab at a time: open the one labelled ``label``."""
    at.session_state["rep_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


def open_history(at: AppTest) -> AppTest:
    return open_tab(at, "보고서 기록")


def test_history_opens_and_deletes_a_report(new_app: Callable[..., AppTest],
                                            users: dict[str, User], seeded: Services) -> None:
    at = open_reports(new_app, users["analyst"].username)
    open_history(generate(at))
    (saved,) = seeded.ports.reports.list()
    at.selectbox(key="rep_history_open").set_value(saved.id).run()
    assert not at.exception, at.exception
    at.button(key="rep_history_view_delete").click().run()
    assert not at.exception, at.exception
    # The first click only asks, like every other destructive action.
    assert seeded.ports.reports.list() == [saved]
    assert any("삭제할까요" in w.value for w in at.warning)
    at.button(key="rep_history_view_delete_yes").click().run()
    assert not at.exception, at.exception
    assert seeded.ports.reports.list() == []
    assert "보고서를 삭제했습니다" in texts(at)


def test_cancelling_the_delete_keeps_the_report(new_app: Callable[..., AppTest],
                                                users: dict[str, User],
                                                seeded: Services) -> None:
    at = open_history(generate(open_reports(new_app, users["analyst"].username)))
    (saved,) = seeded.ports.reports.list()
    at.selectbox(key="rep_history_open").set_value(saved.id).run()
    at.button(key="rep_history_view_delete").click().run()
    at.button(key="rep_history_view_delete_no").click().run()
    assert not at.exception, at.exception
    assert seeded.ports.reports.list() == [saved]
    assert not any("삭제할까요" in w.value for w in at.warning)
    assert "rep_history_view_delete_yes" not in [b.key for b in at.button]


def test_the_history_names_languages_and_periods_in_the_ui_language(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_history(generate(open_reports(new_app, users["analyst"].username)))
    (saved,) = seeded.ports.reports.list()
    (table,) = [d.value for d in at.dataframe if "언어" in d.value.columns]
    assert list(table["언어"]) == ["한국어"]
    assert list(table["기간"]) == [f"{saved.period_start} ~ {saved.period_end}"]
    assert "요청자" in table.columns

    at.radio(key="df_lang_widget").set_value("en").run()  # the history stays open
    assert not at.exception, at.exception
    (table,) = [d.value for d in at.dataframe if "Language" in d.value.columns]
    assert list(table["Language"]) == ["한국어"]  # a language is named in its own language
    assert list(table["Period"]) == [f"{saved.period_start} – {saved.period_end}"]


def test_the_history_reads_a_whole_report_only_when_one_is_opened(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its table and choices come from the reports' summaries, on every run of the tab."""
    from services.adapters.sqlite import reports as sqlite_reports

    at = generate(open_reports(new_app, users["analyst"].username))
    parsed: list[str] = []
    real = sqlite_reports.from_json
    monkeypatch.setattr(sqlite_reports, "from_json",
                        lambda text: parsed.append(text) or real(text))
    open_history(at)
    at.run()
    assert parsed == []
    (listed,) = seeded.ports.reports.list()
    at.selectbox(key="rep_history_open").set_value(listed.id).run()
    assert not at.exception, at.exception
    assert len(parsed) == 1 and "<h2>요약</h2>" in texts(at)


def test_others_cannot_delete_an_analyst_s_report(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        make_user: Callable[..., User]) -> None:
    at = open_reports(new_app, users["analyst"].username)
    generate(at)
    (saved,) = seeded.ports.reports.list()
    other = make_user("other-analyst", "analyst")
    at = open_history(open_reports(new_app, other.username))
    at.selectbox(key="rep_history_open").set_value(saved.id).run()
    assert not at.exception, at.exception
    assert "rep_history_view_delete" not in [b.key for b in at.button]
    admin = open_history(open_reports(new_app, users["admin"].username))
    admin.selectbox(key="rep_history_open").set_value(saved.id).run()
    assert "rep_history_view_delete" in [b.key for b in admin.button]


def choose_bedrock(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at.selectbox(key="rep_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def bedrock_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_a_model_s_answer_streams_and_unmatched_numbers_are_highlighted(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLLM(["## 요약\n\n", "페이지 조회는 40회", "였고 방문자는 777명입니다.\n"],
                   usage=(900, 40))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = choose_bedrock(open_reports(new_app, users["analyst"].username), monkeypatch)
    generate(at)

    (sent,) = fake.requests
    assert sent.model_id == Settings().bedrock_model_id and "<data>" in sent.prompt
    text = texts(at)
    assert "<strong>777</strong></mark>" in text and "40회" in text
    assert "본문의 숫자 2개 중 1개가 보고서 데이터에 없습니다" in text
    (saved,) = saved_reports(seeded)
    assert (saved.input_tokens, saved.output_tokens) == (900, 40) and saved.cost_usd > 0
    # What is left of today's budget is shown above the button by the same run.
    budget = Settings().report_daily_token_budget
    (left,) = [m.value for m in at.metric if m.label == "오늘 남은 예산"]
    assert left == f"{budget - 940:,} / {budget:,}"


def test_a_failure_keeps_the_inputs_and_shows_one_message(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: LazyBedrock, request: LLMRequest) -> None:
        raise ServiceUnavailable("llm.err_timeout")

    monkeypatch.setattr(LazyBedrock, "stream", refuse)
    at = open_reports(new_app, users["analyst"].username)
    at.selectbox(key="rep_type_ko").set_value("author").run()
    choose_bedrock(at, monkeypatch)
    generate(at)

    assert errors(at) == ["모델 응답이 너무 오래 걸렸습니다. 다시 시도하세요."]  # one message
    assert at.selectbox(key="rep_type_ko").value == "author"
    assert at.selectbox(key="rep_model_ko").value.startswith("bedrock:")
    assert seeded.ports.reports.list() == []


def test_a_connection_lost_mid_stream_clears_the_text_and_says_why(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The network failing while Bedrock writes: the half-written report makes way for the
    reason (the endpoint could not be reached), not for "something went wrong"."""
    events: list[Any] = stream_events(["## 요약\n\n", "페이지 조회는 40회"])
    events.insert(2, ProtocolError("Connection broken: IncompleteRead(0 bytes read)"))
    bedrock = BedrockLLM(StreamingRuntime(events))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: bedrock.stream(request))
    at = choose_bedrock(open_reports(new_app, users["analyst"].username), monkeypatch)
    generate(at)

    (shown,) = errors(at)
    assert shown.startswith("Amazon Bedrock 엔드포인트에 연결할 수 없습니다"), shown
    assert "요약" not in "".join(str(e.proto.body) for e in at.get("html"))  # no half report
    assert seeded.ports.reports.list() == []


def test_the_pdf_is_built_with_the_report_and_previewed_on_request(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = generate(open_reports(new_app, users["analyst"].username))

    (saved,) = seeded.ports.reports.list()
    # One click downloads it: the button hands Streamlit the build (started when the report
    # was saved), not a "build the PDF" step first.
    assert [b.proto.label for b in at.get("download_button")].count("PDF 내려받기") == 1
    assert "PDF 만들기" not in [b.label for b in at.button]
    assert at.session_state[PDF_CACHE_KEY][saved.id].result().startswith(b"%PDF")
    assert at.get("image") == []  # the preview is drawn only when opened

    at.session_state["rep_last_view_pdf_preview"] = True
    at.run()
    assert not at.exception
    assert len(at.get("image")) == 2  # the first pages, rendered by PyMuPDF


def test_the_pdf_is_built_once_per_report(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from services.reports.pdf import build

    at = generate(open_reports(new_app, users["analyst"].username))
    (saved,) = seeded.ports.reports.list()
    at.session_state[PDF_CACHE_KEY][saved.id].result()  # drawn once it is built
    built: list[str] = []
    real = build.build_report_pdf
    monkeypatch.setattr(build, "build_report_pdf",
                        lambda report, **kw: built.append(report.id) or real(report, **kw))
    at.session_state["rep_last_view_pdf_preview"] = True
    at.run()
    at.run()
    assert not at.exception
    assert built == []  # reruns and the preview reuse the PDF built with the report
    assert len(at.get("image")) == 2
    assert [b.proto.label for b in at.get("download_button")].count("PDF 내려받기") == 1


def test_a_report_opened_in_another_session_is_not_built_again(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A saved report never changes, so its PDF (about a second of CPU) is built once per
    process: a manager going through the history, or a colleague opening the same report,
    does not build it again."""
    from services.reports.pdf import build

    first = generate(open_reports(new_app, users["analyst"].username))
    (saved,) = seeded.ports.reports.list()
    made = first.session_state[PDF_CACHE_KEY][saved.id].result()
    built: list[str] = []
    real = build.build_report_pdf
    monkeypatch.setattr(build, "build_report_pdf",
                        lambda report, **kw: built.append(report.id) or real(report, **kw))
    other = open_history(open_reports(new_app, users["admin"].username))
    other.selectbox(key="rep_history_open").set_value(saved.id).run()
    assert not other.exception
    assert other.session_state[PDF_CACHE_KEY][saved.id].result() == made
    assert built == []


def test_a_failed_build_says_so_and_is_built_again_on_request(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not Streamlit's own English "failed to generate file" when the download is clicked:
    the page shows the failure in the user's language, with a button that builds it again."""
    from services.reports.pdf import build

    real = build.build_report_pdf
    broken = [True]

    def flaky(report: Report, **kw: Any) -> bytes:
        if broken[0]:
            raise RuntimeError("font missing")
        return real(report, **kw)

    monkeypatch.setattr(build, "build_report_pdf", flaky)
    at = generate(open_reports(new_app, users["analyst"].username))
    (saved,) = seeded.ports.reports.list()  # the report itself is saved
    assert at.session_state[PDF_CACHE_KEY][saved.id].exception() is not None
    at.session_state["rep_last_view_pdf_preview"] = True
    at.run()
    assert errors(at) == ["PDF를 만들지 못했습니다(보고서는 저장되어 있습니다). "
                          "‘PDF 다시 만들기’를 눌러 다시 시도하세요."]
    assert at.get("download_button") == [] and at.get("image") == []
    at.run()  # a failed build is not silently started again on every run
    assert errors(at) and at.get("download_button") == []

    broken[0] = False
    at.button(key="rep_last_view_pdf_retry").click().run()
    assert not at.exception, at.exception
    at.session_state[PDF_CACHE_KEY][saved.id].result()  # the new build, then its outcome
    at.run()
    assert not at.error and len(at.get("image")) == 2
    assert [b.proto.label for b in at.get("download_button")] == ["PDF 내려받기"]


def test_a_pdf_still_being_built_says_so(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from services.reports.pdf import build

    real = build.build_report_pdf
    release = threading.Event()

    def slow(report: Report, **kw: Any) -> bytes:
        release.wait(10)
        return real(report, **kw)

    monkeypatch.setattr(build, "build_report_pdf", slow)
    at = generate(open_reports(new_app, users["analyst"].username))
    try:
        assert "PDF를 만드는 중…" in [c.value for c in at.caption]
        # The button is in its place, disabled until the build is over: a click cannot wait
        # on a build that might still fail (test_report_pdf_waiting.py).
        [button] = at.get("download_button")
        assert button.proto.label == "PDF 내려받기" and button.proto.disabled
    finally:
        release.set()
    (saved,) = seeded.ports.reports.list()
    at.session_state[PDF_CACHE_KEY][saved.id].result()
    at.run()
    assert "PDF를 만드는 중…" not in [c.value for c in at.caption]
    [button] = at.get("download_button")
    assert not button.proto.disabled and button.proto.deferred_file_id


def test_a_report_left_for_another_does_not_hold_up_its_pdf(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """PDFs are built one at a time for the whole server. Opening reports one after the other
    in the history queued a build for each (about a second of work apiece), and the one on
    screen waited behind those nobody looked at any more: these are dropped while they wait."""
    import threading

    from services.reports.pdf import build
    from services.ui import report_pdf

    built: list[str] = []
    monkeypatch.setattr(build, "build_report_pdf",
                        lambda report, **kw: built.append(report.id) or b"%PDF-1.7")
    at = generate(open_reports(new_app, users["analyst"].username))
    at.selectbox(key="rep_type_ko").set_value("author").run()  # named apart in the history
    generate(at)
    newer, older = (r.id for r in seeded.ports.reports.list())  # newest first
    for finished in at.session_state[PDF_CACHE_KEY].values():
        finished.result()
    built.clear()
    at.session_state[PDF_CACHE_KEY] = {}  # as in a new session
    report_pdf._pdf_cache.cache_clear()  # of a new process: nothing built yet
    busy = threading.Event()
    report_pdf._BUILDER.submit(busy.wait, 10)  # another page's build, under way
    try:
        open_history(at)
        at.selectbox(key="rep_history_open").set_value(older).run()
        at.selectbox(key="rep_history_open").set_value(newer).run()
        assert not at.exception, at.exception
    finally:
        busy.set()
    builds = at.session_state[PDF_CACHE_KEY]
    assert builds[newer].result() == b"%PDF-1.7"
    assert built == [newer] and older not in builds


def test_a_title_written_as_a_link_is_text_on_the_report_page(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    """An author's title became a live "sign in again" link on the analysts' page; the
    narrative quotes it, and the page shows it as the text it is."""
    hostile = "[session expired, sign in again](https://evil.example)"
    seed(services, make_item(hostile, category=Category.GENERATIVE_AI))
    at = generate(open_reports(new_app, users["analyst"].username))
    (saved,) = saved_reports(services)
    assert "session expired, sign in again" in saved.narrative  # the narrator quotes it
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "session expired, sign in again" in html
    assert "<a " not in html and "<img" not in html
    markdown = [str(m.value) for kind in ("markdown", "caption", "subheader")
                for m in at.get(kind)]
    assert not any("https://evil.example" in m and "\\:" not in m for m in markdown)


def test_the_answer_is_shown_as_inert_html_while_it_streams() -> None:
    def page() -> None:
        from services.ui.reports import show_stream

        show_stream(["## 요약\n\n", "[session expired, sign in again]",
                     "(https://evil.example) ![x](https://evil.example/i.png)"])

    at = AppTest.from_function(page).run()
    assert not at.exception and not at.markdown
    (shown,) = [str(h.proto.body) for h in at.get("html")]
    assert shown.startswith('<div class="df-md"><h2>요약</h2>')
    assert "<a " not in shown and "<img" not in shown
    assert "[session expired, sign in again](https://evil.example)" in shown


def test_blank_chunks_and_an_empty_narrative_draw_nothing_and_do_not_fail() -> None:
    def page() -> None:
        from services.ui.reports import show_stream

        show_stream(["\n", "[a]: https://evil.example\n", "\n"])  # renders to no HTML at all

    at = AppTest.from_function(page).run()
    assert not at.exception and not at.get("html")


def test_the_comparison_table_formats_numbers_like_the_rest_of_the_app(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    """(Korean only: AppTest formats select values outside the app's session, in Korean, so a
    second run in English cannot be driven here.)"""
    words = {"views": "페이지 조회", "top": "인기 카테고리", "category": "생성형 AI"}
    item = make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI)
    seed(services, item)
    base = datetime.combine(services.analytics.today(), time(9), tzinfo=services.settings.tz)
    services.ports.events.append([
        Event(id=f"many{n:04d}", ts=base - timedelta(days=2), type=EventType.PAGE_VIEW,
              session_id=f"m{n % 7}", page="home") for n in range(1210)]
        + [Event(id=f"why{n}", ts=base - timedelta(days=2), type=EventType.VISITOR_PURPOSE,
                 session_id=f"m{n}", properties={"purpose": purpose})
           for n, purpose in enumerate(["skipped", "research", "research"])])
    at = open_history(generate(generate(open_reports(new_app, users["analyst"].username))))
    ids = [r.id for r in services.ports.reports.list()]
    at.multiselect(key="rep_history_compare").set_value(ids[:2]).run()
    assert not at.exception, at.exception
    (table,) = [d.value for d in at.dataframe if d.value.columns[0] == "지표"]
    rows = {row.iloc[0]: (row.iloc[1], row.iloc[2]) for _, row in table.iterrows()}
    assert rows[words["views"]] == ("1,250", "1,250")  # 40 + 1,210, with a separator
    assert rows[words["top"]] == (words["category"], words["category"])
    assert rows["목적 응답 건너뜀 비율"] == ("33.3%", "33.3%")  # a rate, as the tiles show it


def test_a_what_changed_report_is_chosen_and_generated_offline(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_reports(new_app, users["analyst"].username)
    (kind,) = [box for box in at.selectbox if box.label == "보고서 종류"]
    assert "무엇이 바뀌었나" in kind.options
    kind.select("what_changed").run()
    generate(at)

    text = texts(at)
    assert "<h2>가장 큰 변화와 그 요인</h2>" in text and "<h2>예측 (추정치)</h2>" in text
    assert "이 기간의 가장 큰 변화: 페이지 조회" in text  # 20 -> 40; views had none before
    (saved,) = saved_reports(seeded)
    assert saved.type.value == "what_changed" and saved.grounding.ok
    assert saved.title == "Demo Factory 변화 분석 보고서"


def test_a_content_report_about_one_item_carries_its_own_insights(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_reports(new_app, users["analyst"].username)
    at.selectbox(key="rep_type_ko").set_value("content").run()
    (subject,) = [box for box in at.selectbox if box.label == "콘텐츠 (선택)"]
    assert subject.value == ""  # by default every item, with platform-wide insights
    assert subject.options == ["전체 콘텐츠 (플랫폼 전체 인사이트)", "생성형AI 챗봇"]
    (item,) = load_catalog(seeded.ports.content)
    subject.set_value(item.id).run()
    assert not at.exception, at.exception
    generate(at)

    (saved,) = saved_reports(seeded)
    assert saved.context["subject"]["name"] == "생성형AI 챗봇"
    assert saved.context["drivers"]["scope"] == "item" and saved.grounding.ok
    assert "콘텐츠 “생성형AI 챗봇” 자체의" in texts(at)


def test_an_item_deleted_after_it_was_picked_is_not_replaced_by_every_item(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    """The choice fell back to "every item" once the list no longer held it, and "generate"
    wrote a platform-wide report where one about the item was asked for, without a word."""
    at = open_reports(new_app, users["analyst"].username)
    at.selectbox(key="rep_type_ko").set_value("content").run()
    (item,) = load_catalog(seeded.ports.content)
    at.selectbox(key="rep_subject_content_ko").set_value(item.id).run()
    seeded.content.delete(item.id, users["admin"].as_actor())
    at.run()

    subject = at.selectbox(key="rep_subject_content_ko")
    assert subject.value == item.id
    assert subject.options[subject.index] == ko("analytics.deleted_item")
    assert ko("reports.err_unknown_subject") in errors(at)
    assert not [b for b in at.button if b.key and b.key.startswith("rep_generate")
                and not b.disabled]
    assert not saved_reports(seeded)


def open_builder(at: AppTest) -> AppTest:
    return open_tab(at, "새 보고서")


def test_only_the_open_tab_is_drawn(new_app: Callable[..., AppTest], users: dict[str, User],
                                    seeded: Services) -> None:
    at = generate(open_reports(new_app, users["analyst"].username))
    # The builder is open: the history's table and pickers are not built on its runs.
    assert "rep_history_open" not in [s.key for s in at.selectbox]
    assert "rep_history_mine" not in [s.key for s in at.toggle]
    open_history(at)
    assert "rep_history_open" in [s.key for s in at.selectbox]
    assert not [b.key for b in at.button if b.key and b.key.startswith("rep_generate")]


def test_choices_survive_a_trip_to_the_other_tab(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_reports(new_app, users["analyst"].username)
    at.selectbox(key="rep_type_ko").set_value("author").run()
    choose_bedrock(at, monkeypatch)
    at.slider(key="rep_temperature").set_value(0.7).run()
    at.number_input(key="rep_max_tokens").set_value(1024).run()
    generate(at)
    open_history(at)
    at.toggle(key="rep_history_mine").set_value(True).run()

    open_builder(at)
    assert at.selectbox(key="rep_type_ko").value == "author"
    assert at.slider(key="rep_temperature").value == 0.7
    assert at.number_input(key="rep_max_tokens").value == 1024
    open_history(at)
    assert at.toggle(key="rep_history_mine").value is True


def test_the_custom_range_cannot_start_more_than_a_period_allows(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    from datetime import timedelta

    from services.analytics.periods import MAX_DAYS

    at = open_reports(new_app, "analyst-user")
    at.selectbox(key="rep_preset_ko").select("custom").run()
    picker = at.date_input(key="rep_range")
    today = services.analytics.today()
    assert (picker.min, picker.max) == (today - timedelta(days=MAX_DAYS - 1), today)
