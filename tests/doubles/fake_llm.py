"""A deterministic implementation of the LLM port, for tests and offline/emulation paths.

It answers with fixed text, streamed in the given chunks (or word by word), reports the given
token usage (or a word count), and can fail like a real model: before any text (``fail_with``)
or after some chunks (``fail_with`` plus ``fail_after``). It is in the LLM contract suite with
the Bedrock adapter, so code tested against it behaves the same against Bedrock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.domain.llm import LLMRequest, LLMResult, LLMStream, StreamBody
from services.errors import DemoFactoryError

_WORDS = re.compile(r"\S+\s*|\s+")


def split_words(text: str) -> list[str]:
    """``"a b  c"`` -> ``["a ", "b  ", "c"]``: chunks whose concatenation is the text."""
    return _WORDS.findall(text)


class FakeLLM:
    """Implements ``services.ports.LLM``. ``requests`` lists every request received."""

    def __init__(
        self,
        chunks: Sequence[str] | None = None,
        *,
        text: str | None = None,
        usage: tuple[int, int] | None = None,
        fail_with: DemoFactoryError | None = None,
        fail_after: int | None = None,
        stop_reason: str = "end_turn",
        latency_ms: int = 0,
    ) -> None:
        if chunks is None:
            chunks = split_words(text if text is not None else "OK")
        elif text is not None and "".join(chunks) != text:
            raise ValueError("chunks and text disagree")
        self._chunks = list(chunks)
        self._usage = usage
        self._fail_with = fail_with
        self._fail_after = fail_after
        self._stop_reason = stop_reason
        self._latency_ms = latency_ms
        self.requests: list[LLMRequest] = []

    @property
    def text(self) -> str:
        return "".join(self._chunks)

    def complete(self, request: LLMRequest) -> LLMResult:
        return self.stream(request).read_all()

    def stream(self, request: LLMRequest) -> LLMStream:
        self.requests.append(request)
        if self._fail_with is not None and self._fail_after is None:
            raise self._fail_with
        return LLMStream(self._body(request))

    def _body(self, request: LLMRequest) -> StreamBody:
        for number, chunk in enumerate(self._chunks):
            if self._fail_with is not None and number == self._fail_after:
                raise self._fail_with
            yield chunk
        if self._fail_with is not None:  # fail_after at or past the end
            raise self._fail_with
        input_tokens, output_tokens = self._usage or _count(request, self._chunks)
        return LLMResult(
            text=self.text,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=self._latency_ms,
            model_id=request.model_id,
            stop_reason=self._stop_reason,
        )


def _count(request: LLMRequest, chunks: Sequence[str]) -> tuple[int, int]:
    """A stand-in for token counts: words in, words out."""
    words_in = len(request.system.split()) + len(request.prompt.split())
    return words_in, len("".join(chunks).split())
