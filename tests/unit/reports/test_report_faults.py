"""Bedrock throttled or down while a report is generated: one clear message in both languages,
nothing saved, and the next request on the same service (no restart) succeeds. (The report
page keeping the user's inputs is tests/ui/test_reports.py.)"""

from __future__ import annotations

import pytest

from services.adapters.aws.bedrock.llm import BedrockLLM
from services.bootstrap import Ports
from services.errors import DemoFactoryError, QuotaExceeded, ServiceUnavailable
from services.i18n import translate
from services.reports.narrator.offline import OfflineNarrator
from tests.doubles.bedrock import StreamingRuntime, client_error, stream_events
from tests.unit.reports.test_reports_service import (  # noqa: F401 - ``ports`` is a fixture
    ANALYST,
    CHUNKS,
    MODEL,
    ports,
    request,
    service,
)


@pytest.mark.parametrize(
    ("failure", "error", "key", "english"),
    [
        (client_error("ThrottlingException", "Too many tokens", 429, "ConverseStream"),
         QuotaExceeded, "llm.err_throttled", "Amazon Bedrock is busy"),
        (client_error("ServiceUnavailableException", "down", 503, "ConverseStream"),
         ServiceUnavailable, "llm.err_unavailable", "temporary problem"),
        (client_error("ModelNotReadyException", "loading", 429, "ConverseStream"),
         ServiceUnavailable, "llm.err_not_ready", ""),
    ],
)
def test_bedrock_throttled_or_down_then_back(
    ports: Ports, failure: Exception, error: type[DemoFactoryError], key: str, english: str,  # noqa: F811
) -> None:
    runtime = StreamingRuntime(failure, stream_events(CHUNKS, 100, 20))
    reports = service(ports, {"offline": OfflineNarrator(), MODEL: BedrockLLM(runtime)})

    with pytest.raises(error) as raised:
        reports.generate(ANALYST, request(MODEL))

    assert raised.value.key == key
    for lang in ("ko", "en"):
        message = translate(lang, raised.value.key, **raised.value.params)
        assert message != raised.value.key and "An error occurred" not in message  # not raw
    assert english in translate("en", raised.value.key, **raised.value.params)
    assert ports.reports.list() == []

    report = reports.generate(ANALYST, request(MODEL))  # the same request, a moment later

    assert report.narrative == "".join(CHUNKS)
    assert [r.id for r in ports.reports.list()] == [report.id]
    assert len(runtime.calls) == 2
