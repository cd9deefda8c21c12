"""The admin tools' sections: the Bedrock check, the config doctor and the audit log.

Nothing here runs a check on page load: each runs on a click, and its report is kept in the
session (``adm_`` keys are cleared at sign-out) so that it stays on screen across reruns.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial

import streamlit as st

from services.bootstrap import Services
from services.domain.checks import CheckStep, Message
from services.domain.models import AuditEntry
from services.domain.permissions import Actor
from services.i18n import for_administrator, translate
from services.i18n.times import format_time
from services.ops.audit_view import AuditQuery
from services.ops.bedrock_check import MODEL_CHOICES, BedrockCheckReport
from services.ops.doctor.base import DoctorReport
from services.ui.audit_words import actor_text, detail_text, target_text
from services.ui.i18n import (
    audit_action_label,
    audit_outcome_label,
    count_text,
    language,
    relabel,
    t,
)
from services.ui.table_widths import ROWS_VISIBLE, grid
from services.ui.widgets import md_escape, md_literal

_BEDROCK_REPORT = "adm_bedrock_report"
_DOCTOR_REPORT = "adm_doctor_report"
_ALL = ""  # the "every actor / action" choice
AUDIT_DAYS = 7
_ICONS = {
    "ok": ":green[:material/check_circle:]",
    "failed": ":red[:material/cancel:]",
    "skipped": ":gray[:material/skip_next:]",
}


def render(message: Message) -> str:
    """The message in the session's language, in its words for the administrator reading
    it; parameter values are shown literally."""
    return t(for_administrator(message.key),
             **{k: md_literal(str(v)) for k, v in message.params.items()})


def model_options(configured: str) -> list[str]:
    """The configured model first, then the suggested current models."""
    return list(dict.fromkeys([configured, *MODEL_CHOICES]))


# ---- Bedrock check ---------------------------------------------------------------------------


def bedrock_check_section(services: Services, actor: Actor) -> None:
    settings = services.settings
    region = settings.bedrock_region or settings.aws_region or t("admin_tools.region_chain")
    if services.ops.bedrock_emulated:  # as the doctor says: nothing there to check
        st.info(t("admin_tools.bedrock_emulated"), icon=":material/cloud_off:")
        return
    st.caption(t("admin_tools.bedrock_intro", region=md_escape(region)))
    model = st.selectbox(
        t("admin_tools.model"), options=model_options(settings.bedrock_model_id), index=0,
        key="adm_bedrock_model", accept_new_options=True, help=t("admin_tools.model_help"),
        placeholder=t("common.choose"),
    )
    if st.button(t("admin_tools.run_check"), key="adm_bedrock_run", type="primary",
                 icon=":material/network_check:"):
        with st.status(t("admin_tools.checking", model=md_escape(str(model))),
                       expanded=False) as status:
            report = services.ops.check_bedrock(actor, str(model or ""))
            status.update(label=t("admin_tools.check_done"),
                          state="complete" if report.ok else "error")
        st.session_state[_BEDROCK_REPORT] = report
    kept = st.session_state.get(_BEDROCK_REPORT)
    if isinstance(kept, BedrockCheckReport):
        show_check_report(kept)


def show_check_report(report: BedrockCheckReport) -> None:
    if report.ok:
        st.success(t("admin_tools.check_ok", model=md_escape(report.model_id)),
                   icon=":material/check_circle:")
    else:
        st.error(t("admin_tools.check_failed", model=md_escape(report.model_id)),
                 icon=":material/error:")
    for step in report.steps:
        show_step(step)


def _state(step: CheckStep) -> str:
    return "skipped" if step.skipped else "ok" if step.ok else "failed"


def show_step(step: CheckStep) -> None:
    with st.container(border=True):
        label = t(f"admin_tools.step_{step.name}")
        timing = "" if step.skipped else f" · {step.seconds:.2f}s"
        st.markdown(f"{_ICONS[_state(step)]} **{label}**{timing}")
        st.markdown(render(step.detail))
        if step.fix is not None and not step.ok:
            st.info(render(step.fix), icon=":material/build:")


# ---- config doctor ---------------------------------------------------------------------------


def doctor_section(services: Services, actor: Actor) -> None:
    st.caption(t("admin_tools.doctor_intro", mode=services.settings.backend))
    include_bedrock = st.checkbox(t("admin_tools.doctor_bedrock"), value=False,
                                  key="adm_doctor_bedrock",
                                  help=t("admin_tools.doctor_bedrock_help"))
    if st.button(t("admin_tools.run_doctor"), key="adm_doctor_run", type="primary",
                 icon=":material/health_and_safety:"):
        with st.spinner(t("admin_tools.doctor_running")):
            report = services.ops.run_doctor(actor, dict(os.environ), include_bedrock)
        st.session_state[_DOCTOR_REPORT] = report
    kept = st.session_state.get(_DOCTOR_REPORT)
    if isinstance(kept, DoctorReport):
        show_doctor_report(kept)


def show_doctor_report(report: DoctorReport) -> None:
    (st.success if report.ok else st.error)(render(report.summary()))
    for line in report.lines:
        icon = _ICONS["skipped" if line.skipped else "ok" if line.ok else "failed"]
        st.markdown(f"{icon} `{line.check}` {render(line.detail)}")
        if not line.ok and line.fix is not None:
            st.info(render(line.fix), icon=":material/build:")


# ---- audit log -------------------------------------------------------------------------------


def _date_range(today: date) -> tuple[date, date]:
    picked = st.date_input(
        t("admin_tools.audit_dates"), value=(today - timedelta(days=AUDIT_DAYS - 1), today),
        max_value=today, key="adm_audit_dates", format="YYYY-MM-DD",
    )
    days = [d for d in picked if isinstance(d, date)] if isinstance(picked, tuple) else []
    if not days:
        return today, today
    return days[0], days[-1]


def audit_section(services: Services, actor: Actor) -> None:
    tz = services.settings.tz
    today = datetime.now(tz).date()
    dates_col, actor_col, action_col = st.columns([2, 1, 1])
    with dates_col:
        start, end = _date_range(today)
    choices = services.ops.audit_choices(actor, start, end)
    waiting = services.ops.audit_waiting(actor)
    if waiting:  # the store refused them; the page shows what it holds, not these yet
        st.warning(t("admin_tools.audit_waiting", count=waiting), icon=":material/schedule:")
    who = actor_col.selectbox(t("admin_tools.audit_actor"), [_ALL, *choices.actors],
                              format_func=_actor_label, key=relabel("adm_audit_actor"),
                              placeholder=t("common.choose"))
    what = action_col.selectbox(t("admin_tools.audit_action"), [_ALL, *choices.actions],
                                format_func=_action_label, key=relabel("adm_audit_action"),
                                placeholder=t("common.choose"))
    query = AuditQuery(start, end, actor=who or None, action=what or None)
    entries = services.ops.audit_entries(actor, query)
    st.caption(t("admin_tools.audit_count", count=len(entries)))
    if len(entries) >= query.limit:  # the log holds more than one answer shows
        st.warning(t("admin_tools.audit_truncated", count=count_text(query.limit)),
                   icon=":material/filter_list:")
    if not entries:
        st.info(t("admin_tools.audit_empty"), icon=":material/info:")
        return
    # Twenty rows before the grid scrolls: at its own ten, a day's log was a short box over a
    # blank half page.
    grid(audit_rows(entries, services, actor),
         wide=(t("admin_tools.col_target"), t("admin_tools.col_detail")), rows=ROWS_VISIBLE)
    st.download_button(
        # Written when pressed, not on every run that draws the log.
        t("admin_tools.audit_csv"), data=partial(audit_csv, services, actor, entries, language()),
        on_click="ignore",
        file_name=f"audit-{start:%Y%m%d}-{end:%Y%m%d}.csv", mime="text/csv",
        key="adm_audit_csv", icon=":material/download:",
    )


def _actor_label(value: str) -> str:
    return actor_text(value, language()) if value else t("admin_tools.audit_all")


def _action_label(value: str) -> str:
    return audit_action_label(value) if value else t("admin_tools.audit_all")


def audit_rows(entries: Sequence[AuditEntry], services: Services, actor: Actor,
               lang: str | None = None) -> list[dict[str, str]]:
    """The entries as admins read them: local times, labelled actions and outcomes, targets
    and details in words (``audit_words``)."""
    tz = services.settings.tz
    lang = lang or language()
    titles = services.ops.audit_titles(actor, entries)
    return [
        {
            translate(lang, "admin_tools.col_ts"): format_time(e.ts, tz, seconds=True),
            translate(lang, "admin_tools.col_actor"): actor_text(e.actor, lang),
            translate(lang, "admin_tools.col_action"): audit_action_label(e.action, lang),
            translate(lang, "admin_tools.col_target"): target_text(e, titles, lang),
            translate(lang, "admin_tools.col_outcome"): audit_outcome_label(e.outcome, lang),
            translate(lang, "admin_tools.col_detail"): detail_text(e, lang, tz),
        }
        for e in entries
    ]


def audit_csv(services: Services, actor: Actor, entries: Sequence[AuditEntry],
              lang: str) -> bytes:
    """The recorded codes and ids (for scripts), then each column as the page shows it in
    ``lang`` (the ISO time column already reads as a time)."""
    time_heading = translate(lang, "admin_tools.col_ts")
    shown = [
        {translate(lang, "admin_tools.audit_csv_shown", column=heading): words
         for heading, words in row.items() if heading != time_heading}
        for row in audit_rows(entries, services, actor, lang)
    ]
    return services.ops.audit_csv(entries, shown)
