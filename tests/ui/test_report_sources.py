"""The report narrative on screen, through AppTest: numbered footnote markers instead of data
paths, the sources table under it, and the toggle that shows the paths to auditors (Korean and
English)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.bootstrap import Services
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.settings import Settings
from services.ui.i18n import LANG_KEY
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import texts
from tests.ui.test_reports import generate, open_reports, saved_reports, seed

RAW_PATH = re.compile(r"<code>|\bkpis\[\d+\]|\bperiod\.days\b")
HOSTILE = '<img src=x onerror="alert(1)"> [session expired](https://evil.example) "quoted"'
# A footnote marker's end: its source, read out by a screen reader, then </sup>
_SR = r"<span [^>]*>[^<]*</span></sup>"


def narrative(at: AppTest) -> str:
    (body,) = [str(h.proto.body) for h in at.get("html") if "<h2>" in str(h.proto.body)]
    return body


def sources(at: AppTest) -> dict[str, list[str]]:
    table = at.dataframe[0].value
    return {str(column): [str(v) for v in table[column]] for column in table.columns}


KO_UI = {"toggle": "데이터 경로 보기", "no": "번호", "source": "출처", "value": "값",
         "path": "데이터 경로", "title": "본문 수치의 출처"}


@pytest.mark.parametrize(("lang", "words"), [
    ("ko", {"views": "페이지 조회, 이번 기간", "days": "분석 기간의 일수"}),
    ("en", {"views": "Page views, this period", "days": "Days in the period"}),
])
def test_markers_lead_to_the_sources_and_the_toggle_shows_the_paths(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        lang: str, words: dict[str, str]) -> None:
    """A Korean and an English report (the page in Korean: see the English test below)."""
    at = open_reports(new_app, users["analyst"].username)
    at.selectbox(key="rep_lang_ko").set_value(lang).run()
    words = {**KO_UI, **words}
    generate(at)

    shown = narrative(at)
    assert not RAW_PATH.search(shown), RAW_PATH.search(shown)
    assert re.search(rf"40\S*<sup [^>]*>\[\d+\]{_SR}", shown)  # the 40 page views, footnoted
    assert words["title"] in texts(at)
    table = sources(at)
    assert list(table) == [words["no"], words["source"], words["value"]]  # no paths yet
    views = table[words["source"]].index(words["views"])
    assert table[words["value"]][views] == "40"
    # the same number in the text
    assert f'[{table[words["no"]][views]}]<span class="df-sr">' in shown
    assert words["days"] in table[words["source"]]
    assert table[words["no"]] == [str(n) for n in range(1, len(table[words["no"]]) + 1)]

    toggle = at.toggle(key="rep_last_view_paths")
    assert toggle.label == words["toggle"] and toggle.value is False
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    table = sources(at)
    assert list(table) == [words["no"], words["source"], words["value"], words["path"]]
    assert table[words["path"]][table[words["source"]].index(words["views"])] == \
        "kpis[1].value"
    assert not RAW_PATH.search(narrative(at))  # the text itself stays readable


def test_the_english_toggle_adds_the_path_column() -> None:
    """The toggle alone, in English (a rerun of the whole report page in English cannot be
    driven in AppTest: it formats select values outside the app's session, in Korean)."""
    def page() -> None:
        from services.reports.citations import footnotes
        from services.ui.report_view import show_sources

        context = {"period": {"days": 30},
                   "kpis": [{"key": "visitors", "kind": "count", "value": 2879}]}
        show_sources(footnotes("2,879 `kpis[0].value` in 30 days `period.days`", context,
                               "en"), "k")

    at = AppTest.from_function(page)
    at.session_state[LANG_KEY] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.toggle(key="k_paths").label == "Show data paths"
    assert list(sources(at)) == ["No.", "Where it comes from", "Value"]
    at.toggle(key="k_paths").set_value(True).run()
    assert sources(at) == {"No.": ["1", "2"], "Value": ["2,879", "30"],
                           "Where it comes from": ["Visitors, this period",
                                                   "Days in the period"],
                           "Data path": ["kpis[0].value", "period.days"]}


@pytest.fixture
def seeded(services: Services, make_item: Callable[..., ContentItem]) -> Services:
    seed(services, make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI))
    return services


def test_a_typed_title_stays_text_in_the_sources_and_the_tooltip(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    seed(services, make_item(HOSTILE, category=Category.GENERATIVE_AI))
    at = generate(open_reports(new_app, users["analyst"].username))
    table = sources(at)
    assert any(HOSTILE in label for label in table["출처"])  # as typed, a plain cell
    shown = narrative(at)
    assert "<img" not in shown and "<a " not in shown
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shown  # the tooltip, escaped


def test_the_streamed_answer_shows_markers_too() -> None:
    def page() -> None:
        from services.ui.reports import show_stream

        context = {"kpis": [{"key": "page_views", "kind": "count", "value": 40}]}
        show_stream(["## Summary\n\n", "Page views 40 `kpis[0]", ".value`."], context, "en")

    at = AppTest.from_function(page).run()
    assert not at.exception
    (shown,) = [str(h.proto.body) for h in at.get("html")]
    assert 'Page views 40<sup style="color:#0b5cad;font-size:0.7em" ' \
           'title="Page views, this period: 40">[1]<span class="df-sr"> (source: Page views, ' \
           'this period: 40)</span></sup>.' in shown


def test_a_model_s_citations_become_the_same_footnotes(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The model is asked to cite data paths; its answer goes through the same conversion."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    fake = FakeLLM(["## 요약\n\n", "페이지 조회는 40회(`kpis[1].value`)로 ",
                    "+100.0% `kpis[1].change`, 다시 40회 kpis[1].value입니다.\n"],
                   usage=(900, 40))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = open_reports(new_app, users["analyst"].username)
    at.selectbox(key="rep_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}").run()
    generate(at)

    shown = narrative(at)
    assert not RAW_PATH.search(shown), RAW_PATH.search(shown)
    assert re.search(rf"페이지 조회는 40회<sup [^>]*>\[1\]{_SR}로 \+100\.0%<sup [^>]*>\[2\]{_SR}, "
                     rf"다시 40회<sup [^>]*>\[1\]{_SR}입니다", shown)
    table = sources(at)
    assert table["출처"] == ["페이지 조회, 이번 기간", "페이지 조회, 비교 기간 대비 변화"]
    assert table["값"] == ["40", "+100.0%"]
    (saved,) = saved_reports(seeded)
    assert "`kpis[1].change`" in saved.narrative and saved.grounding.ok
