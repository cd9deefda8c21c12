"""The doctor under ``make emulate`` (DEMO_FACTORY_EMULATION=true): the emulator has no Bedrock,
so the Bedrock check is skipped and says why, instead of failing or blaming the credentials."""

from __future__ import annotations

from typing import Any

import pytest

from services.adapters.aws.doctor_checks import check_bedrock
from services.i18n import translate
from services.ops.doctor.base import DoctorContext
from services.settings import load_settings

REGION = "us-east-1"


def never(settings: Any) -> Any:
    raise AssertionError("the emulation's Bedrock is never called")


@pytest.mark.parametrize("included", [True, False])
def test_the_emulation_skips_bedrock_and_says_why(included: bool) -> None:
    """Ticked or not, the line gives the emulation's reason: "left out of this run" would
    invite a tick that can only say the emulation has no Bedrock."""
    settings = load_settings(backend="aws", aws_region=REGION, bedrock_region=REGION,
                             emulation=True)
    context = DoctorContext(settings, env={"AWS_ACCESS_KEY_ID": "emulated"},
                            include_bedrock=included, bedrock_clients=never)

    [line] = check_bedrock(context)

    assert line.skipped and line.ok
    assert line.detail.key == "admin_tools.doc_bedrock_emulated"
    for lang in ("en", "ko"):
        assert translate(lang, line.detail.key) != line.detail.key
    assert "emulat" in translate("en", line.detail.key)
