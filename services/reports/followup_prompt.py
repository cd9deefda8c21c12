"""The prompt of a follow-up question on a report: ``prompts/followup/<lang>.toml`` (a folder
of its own: the report prompts are every file of ``prompts/``).

Same file format and checks as the report prompts (``services.reports.prompts``), with one more
variable: ``question``, which the template must place alone between ``<question>`` and
``</question>`` lines, after the data block. The report's saved context goes in as ``data``
exactly as the report sent it; the question goes in as a JSON string with ``<``, ``>`` and
``&`` escaped, so nothing a user types can close its block or read as an instruction outside it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from services.domain.reports import ReportLanguage
from services.reports.prompts import (
    DATA_BLOCK,
    DATA_LABELS,
    DATA_VARIABLE,
    KEYS,
    PROMPTS_DIR,
    PromptError,
    RenderedPrompt,
    data_json,
    placeholders,
)

QUESTION_VARIABLE = "question"
QUESTION_BLOCK = "<question>\n$question\n</question>"
VARIABLES = frozenset({"period_start", "period_end", DATA_VARIABLE, QUESTION_VARIABLE})


def question_json(question: str) -> str:
    """The question as a JSON string that cannot close the ``<question>`` block."""
    text = json.dumps(question, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@cache
def load(language: ReportLanguage | str, root: Path = PROMPTS_DIR) -> tuple[str, str, str]:
    """(version id, system, template) of the language's follow-up prompt; PromptError when the
    file breaks a rule of the module docstring."""
    lang = ReportLanguage(language)
    path = root / "followup" / f"{lang.value}.toml"
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PromptError(f"{path}: cannot read the prompt ({exc})") from exc
    if set(raw) != KEYS:
        raise PromptError(f"{path}: the keys must be {sorted(KEYS)}")
    system, template = str(raw["system"]).strip(), str(raw["template"]).strip()
    used = placeholders(system, str(path)) | placeholders(template, str(path))
    if used != VARIABLES or set(raw["variables"]) != VARIABLES:
        raise PromptError(f"{path}: the variables must be {sorted(VARIABLES)}")
    data_at, question_at = template.find(DATA_BLOCK), template.find(QUESTION_BLOCK)
    label_at = template.find(DATA_LABELS[lang])
    if template.count("$data") != 1 or template.count("$question") != 1 \
            or not 0 <= label_at < data_at < question_at:
        raise PromptError(f"{path}: the data block must follow {DATA_LABELS[lang]!r}, and the "
                          "question block come after it")
    return f"followup.{lang.value}.v{str(raw['version']).strip()}", system, template


def followup_prompt(context: Mapping[str, Any], question: str, language: ReportLanguage | str,
                    root: Path = PROMPTS_DIR) -> RenderedPrompt:
    """The rendered prompt of ``question`` on a report whose saved context is ``context``."""
    version, system, template = load(language, root)
    period = context.get("period") or {}
    values = {"period_start": str(period.get("start", "")),
              "period_end": str(period.get("end", "")),
              DATA_VARIABLE: data_json(context), QUESTION_VARIABLE: question_json(question)}
    return RenderedPrompt(system=Template(system).substitute(values),
                          prompt=Template(template).substitute(values), version=version)
