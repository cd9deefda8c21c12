"""The doctor under ``make emulate`` (DEMO_FACTORY_EMULATION=true): the emulator has no Bedrock,
so the Bedrock check is skipped and says why, instead of failing or blaming the credentials."""

from __future__ import annotations

from typing import Any

import pytest

from services.adapters.aws.doctor_checks import check_bedrock
from services.domain.permissions import Actor, Role
from services.errors import ValidationError
from services.i18n import translate
from services.ops.bedrock_check import run_bedrock_check
from services.ops.doctor.base import DoctorContext
from services.settings import load_settings
from tests.doubles.audit import MemoryAudit

REGION = "us-east-1"


def never(settings: Any) -> Any:
    raise AssertionError("the emulation's Bedrock is never called")


def test_the_emulation_skips_bedrock_and_says_why() -> None:
    settings = load_settings(backend="aws", aws_region=REGION, bedrock_region=REGION,
                             emulation=True)
    context = DoctorContext(settings, env={"AWS_ACCESS_KEY_ID": "emulated"},
                            include_bedrock=True, bedrock_clients=never)

    [line] = check_bedrock(context)

    assert line.skipped and line.ok
    assert line.detail.key == "admin_tools.doc_bedrock_emulated"
    for lang in ("en", "ko"):
        assert translate(lang, line.detail.key) != line.detail.key
    assert "emulat" in translate("en", line.detail.key)


def test_the_bedrock_check_page_says_the_emulation_has_no_bedrock_instead_of_unreachable(
) -> None:
    """The page's check follows the doctor's rule: not "unreachable, try again later" with
    network advice for the closed port the emulation points Bedrock at."""
    settings = load_settings(backend="aws", aws_region=REGION, bedrock_region=REGION,
                             emulation=True)
    admin = Actor("root", roles=frozenset({Role.ADMIN}))

    with pytest.raises(ValidationError) as refused:
        run_bedrock_check(admin, settings, MemoryAudit(), probe=never)

    assert refused.value.key == "admin_tools.bedrock_emulated"
    for lang in ("en", "ko"):
        said = translate(lang, refused.value.key)
        assert said != refused.value.key and "DEMO_FACTORY_EMULATION" in said
