"""deploy/README.md against deploy/cloudformation.yaml: step 4 names every parameter with its
default, step 5 lists every variable the task definition passes, and what the runbook says
about the first administrator is what the app does."""

from __future__ import annotations

import re
from pathlib import Path

from services.settings import Settings
from services.wiring import first_admin_form
from tests.infra.test_cloudformation import Template, container, environment, props
from tests.infra.test_cloudformation import template as template  # the fixture

RUNBOOK = (Path(__file__).resolve().parents[2] / "deploy" / "README.md").read_text(
    encoding="utf-8")


def section(number: int) -> str:
    """The text of step ``number`` ("## 4. ..."), up to the next step or chapter."""
    found = re.search(rf"^## {number}\. .*?(?=^## )", RUNBOOK, re.S | re.M)
    assert found, f"no step {number}"
    return found.group(0)


def table_rows(text: str) -> dict[str, str]:
    """``{first cell: second cell}`` of the Markdown table rows in ``text``; a first cell that
    names several (`` `A` + `B` `` or `` `A` / `B` ``) gives one row per name."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-"}:
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


def test_step_4_names_every_parameter_with_its_default(template: Template) -> None:
    step = section(4)
    rows = table_rows(step)
    missing, wrong = [], []
    for name, parameter in template["Parameters"].items():
        if name in rows:
            default = str(parameter.get("Default", ""))
            if f"`{default}`" not in rows[name] and not (default == "" and "empty" in rows[name]):
                wrong.append(f"{name}: {rows[name]} (template: {default!r})")
        elif f"{name}=" not in step:  # a parameter of the deploy command itself
            missing.append(name)
    assert missing == [] and wrong == []


def test_step_5_lists_every_variable_the_task_definition_passes(template: Template) -> None:
    passed = set(environment(template)) | {s["Name"] for s in container(template)["Secrets"]}
    assert sorted(passed - set(table_rows(section(5)))) == []


def test_step_6_makes_the_first_administrator_by_command(template: Template) -> None:
    """aws mode has no first-administrator form unless DEMO_FACTORY_FIRST_ADMIN_FORM says so
    (services/wiring.py first_admin_form), and the stack does not set it."""
    step = section(6)
    assert first_admin_form(Settings(backend="aws")) is False
    assert "DEMO_FACTORY_FIRST_ADMIN_FORM" not in environment(template)
    assert "first-administrator form" not in step and "DEMO_FACTORY_FIRST_ADMIN_FORM" in step
    assert "python -m scripts.create_user --username admin --role admin" in step
    admin_group = props(template, "AdminGroup")["GroupName"]
    assert admin_group == Settings().cognito_group_admin
    assert f"--group-name {admin_group}" in step
