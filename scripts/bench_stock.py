"""Stock Streamlit pages that the page benchmark measures in the same run, as its baselines.

One script, its page chosen by ``?page=``, none of the app's code:

- ``plain`` (no parameter): the issue's plain page, a title and one plotly chart. Every page's
  ratio is to this page.
- ``browse``: the widgets that the app's browse page draws (the search box, the filters'
  folded panel, the pager's block of links) under a title: what Streamlit itself takes to
  draw those widgets.
- ``dashboard``: the dashboard's first screen rebuilt from the same kinds and about the same
  number of Streamlit elements (the live switch and the follow popover on the title's line,
  the live panel and the filters folded, the
  period control, eight KPI tiles, the insights panel folded, twelve tabs
  with the trend chart, its folded day table and its CSV button), with made-up numbers. The
  tiles are one HTML block and the CSV is written on a click, as the app's. ``&drop=`` leaves
  groups of these elements out (``DASHBOARD_GROUPS``; ``python -m scripts.bench elements``), and
  ``&as=links`` draws each of the groups' widgets as one HTML link instead (a switch, a folded
  panel, the tab bar, the CSV button): what a first screen of the same controls would cost if
  each were a link to the board with that control's choice, as the pager's and the cards' are.

An app page's time over its stock twin's is what the app adds to what Streamlit costs for the
same elements; the twin's over the plain page is Streamlit's own cost of those elements.
"""

from __future__ import annotations

_IMPORTS = """\
import pandas as pd
import plotly.express as px
import streamlit as st
"""

# The plain page, as a function of the one script.
_PLAIN = """
def plain_page() -> None:
    st.title("Plain page")
    days = pd.date_range("2026-01-01", periods=90, freq="D")
    frame = pd.DataFrame({"day": days, "views": [(i * 37) % 101 for i in range(90)]})
    st.plotly_chart(px.line(frame, x="day", y="views"))
"""

_BROWSE = """
def browse_page() -> None:
    st.title("전체 콘텐츠", anchor=False)
    st.text_input("검색", placeholder="제목, 태그, 본문", icon=":material/search:",
                  max_chars=200)
    # The filters' panel, folded: its four select widgets are drawn only when it is open.
    st.expander("필터와 정렬", icon=":material/tune:", key="filters", on_change="rerun")
    st.html(PAGER)


def _page_link(n: int, label: str = "") -> str:
    return (f'<a class="df-tag df-page" href="browse?page={n}" target="_self"'
            f' aria-label="{n} / 4 페이지">{label or n}</a>')


# The app's pager block (services/ui/pager.py) on page 1 of 4: one st.html of links.
PAGER = ('<div class="df-pager"><nav class="df-pager-links" aria-label="페이지 이동">'
         '<span class="df-page df-page-off" aria-disabled="true">이전</span>'
         '<span class="df-page df-page-current" aria-current="page"'
         ' aria-label="1 / 4 페이지">1</span>'
         + "".join(_page_link(n) for n in (2, 3, 4))
         + '<a class="df-tag df-page" href="browse?page=2" target="_self" rel="next">다음</a>'
         '</nav><div class="df-pager-total">전체 41개</div></div>')
"""

# The dashboard twin's groups of elements, each of which ``?drop=`` can leave out: the live
# panel and switch, the filters' panel, the captions, the insights' folded panel, the CSV button,
# the follow popover, the twelve-tab bar, the overlay switch and the day table's folded panel.
# Without all of them: the title, the period, the tiles and the trend chart.
DASHBOARD_GROUPS = ("live", "filters", "captions", "insights", "csv", "follow", "tabs",
                    "overlay", "day_table")

_DASHBOARD = """
TILES = ["방문자", "페이지 조회", "콘텐츠 조회", "좋아요(순증)", "다운로드", "검색",
         "인기 카테고리", "목적 응답 건너뜀 비율"]


def tiles(names: list[str], per_row: int) -> None:
    # The app's number tiles: one HTML block (services/ui/tiles.py's markup, unstyled).
    cells = "".join(
        '<div class="df-tile" role="listitem"><div class="df-tile-head">'
        f'<span class="df-tile-label">{name}</span><details class="df-tile-help">'
        '<summary aria-label="설명">?</summary><div class="df-tile-tip"><p>이 지표가 세는 것'
        f'</p></div></details></div><div class="df-tile-value">{(n + 1) * 1234:,}</div>'
        f'<div class="df-tile-delta"><span class="df-tile-change df-good">{n - 3:+d}%</span>'
        ' <span class="df-tile-desc">이전 기간 대비</span></div></div>'
        for n, name in enumerate(names))
    st.html(f'<div class="df-tiles-box"><div class="df-tiles df-tiles-{per_row}" role="list">'
            f"{cells}</div></div>")


# ``?drop=a,b`` leaves those groups of elements out (DASHBOARD_GROUPS), for the element
# benchmark (scripts/bench_elements.py): what each group costs to draw.
DROP = set(st.query_params.get("drop", "").split(","))


def keep(group: str) -> bool:
    return group not in DROP


# ``?as=links``: each group's widget is one HTML link (its label, a board address) instead.
AS_LINKS = st.query_params.get("as", "") == "links"


# The group's widget, or its links (one block; the tab bar's is a link per tab); nothing
# when the group is dropped.
def control(group: str, label: str | list[str], draw):
    if not keep(group):
        return None
    if AS_LINKS:
        links = "".join(
            f'<a class="df-tag" href="?page=dashboard&open={group}&n={n}"'
            f' target="_self">{text}</a>'
            for n, text in enumerate([label] if isinstance(label, str) else label))
        st.html(f'<nav aria-label="{group}">{links}</nav>')
        return None
    return draw()


def dashboard_page() -> None:
    days = pd.date_range("2026-01-01", periods=90, freq="D")
    trend = pd.DataFrame({"day": days, "views": [(i * 37) % 101 for i in range(90)]})
    # The title's line holds the board's switches: the live switch and the follow popover
    # (its form is drawn once opened, as the app's: lazy.popover).
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title("사용 현황 대시보드", anchor=False)
        control("live", "실시간 갱신 (30초마다)",
                lambda: st.toggle("실시간 갱신 (30초마다)", value=True))
        control("follow", "☆ 팔로우",
                lambda: st.popover("☆ 팔로우", key="follow", on_change="rerun"))
    # The live panel and the filters are folded at first: their contents are drawn only
    # once opened (the live panel's tiles, chart and table; the two filters' select boxes).
    control("live", "지금 접속 중", lambda: st.expander(
        "지금 접속 중", icon=":material/sensors:", key="live", on_change="rerun"))
    period, filters = st.columns([3, 2], vertical_alignment="bottom")
    period.segmented_control("기간", ["오늘", "7일", "30일", "90일", "직접 지정"], default="7일")
    with filters:
        control("filters", "카테고리·작성자 필터", lambda: st.expander(
            "카테고리·작성자 필터", icon=":material/filter_list:", key="filters",
            on_change="rerun"))
    if keep("captions"):
        st.caption("차트의 막대·조각·점을 누르거나 표의 행을 고르면 그 값이 필터로 더해집니다.")
        st.caption("2026-11-30 ~ 2026-12-06 (7일) · 비교 기간: 2026-11-23 ~ 2026-11-29")
    tiles(TILES, 4)
    if keep("captions"):
        st.caption("08:40:43 KST 기준 · 지구 아이콘: 플랫폼 전체 수치")
    # Folded at first, as the app's: its tabs and tables are drawn once opened.
    control("insights", "인사이트", lambda: st.expander(
        "인사이트: 변화의 요인, 평소와 다른 날과 시간, 다음 7일·14일 예상",
        icon=":material/lightbulb:", key="insights", on_change="rerun"))
    names = ["추이", "콘텐츠", "작성자", "카테고리", "시간대", "방문 목적", "회사",
             "검색어", "유입 경로", "기기", "재방문", "퍼널"]
    tab = control("tabs", names, lambda: st.tabs(names)[0])
    with tab or st.container():
        control("overlay", "이전 기간 겹쳐 보기",
                lambda: st.toggle("이전 기간 겹쳐 보기", help="도움말"))
        if keep("captions"):
            st.caption("콘텐츠 조회·다운로드·좋아요 — 플랫폼 전체")
        st.plotly_chart(px.line(trend, x="day", y="views"))
        # The day-by-day table is folded under the chart: its grid is drawn once opened.
        control("day_table", "날짜별 표", lambda: st.expander(
            "날짜별 표", icon=":material/table:", key="day_table", on_change="rerun"))
        control("csv", "CSV", lambda: st.download_button(
            "CSV", data=lambda: "day,views\\n", file_name="trend.csv",
            icon=":material/download:", on_click="ignore"))

"""

STOCK_SCRIPT = _IMPORTS + _PLAIN + _BROWSE + _DASHBOARD + """
PAGES = {"browse": browse_page, "dashboard": dashboard_page}
PAGES.get(st.query_params.get("page", ""), plain_page)()
"""
