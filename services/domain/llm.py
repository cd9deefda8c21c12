"""What the LLM port speaks: a request, a result, and a stream of text with its result.

Every model adapter (Bedrock, the fake, the offline narrator) takes an ``LLMRequest`` and gives
back an ``LLMResult`` (``complete``) or an ``LLMStream`` (``stream``). A stream yields text
chunks as they are written; once it is exhausted, ``result()`` returns the same ``LLMResult``
that ``complete`` would have, with the whole text, the token usage and the latency.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

from services.errors import ValidationError


@dataclass(frozen=True)
class LLMRequest:
    model_id: str
    system: str
    prompt: str
    max_tokens: int = 1024
    temperature: float = 0.2

    def __post_init__(self) -> None:
        if not self.model_id.strip():
            raise ValidationError("llm.err_no_model")
        if not self.prompt.strip():
            raise ValidationError("llm.err_empty_prompt")
        if self.max_tokens < 1:
            raise ValidationError("llm.err_bad_max_tokens", max_tokens=self.max_tokens)
        if not 0.0 <= self.temperature <= 1.0:
            raise ValidationError("llm.err_bad_temperature", temperature=self.temperature)


@dataclass(frozen=True)
class LLMResult:
    text: str
    input_tokens: int
    output_tokens: int
    latency_ms: int
    model_id: str
    stop_reason: str

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


# A stream body: yields text chunks and *returns* the final result.
StreamBody = Generator[str, None, LLMResult]


class LLMStream:
    """An iterable of text chunks (for ``st.write_stream``) with the final usage afterwards.

    Single use, like the network stream behind it. Errors from the model in the middle of the
    stream are raised by the iteration, as project exceptions.
    """

    def __init__(self, body: StreamBody) -> None:
        self._body = body
        self._result: LLMResult | None = None
        self._started = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            return
        self._started = True
        try:
            while True:
                yield next(self._body)
        except StopIteration as done:
            self._result = done.value

    @property
    def done(self) -> bool:
        return self._result is not None

    def close(self) -> None:
        """Stop reading: the body's ``finally`` runs now (Bedrock's releases the HTTP
        response). Nothing more is read; ``result()`` stays unavailable if it was."""
        self._body.close()

    def result(self) -> LLMResult:
        """The whole text, usage and latency; only after the stream has been read to its end."""
        if self._result is None:
            raise RuntimeError("read the stream to its end before asking for its result")
        return self._result

    def read_all(self) -> LLMResult:
        """Consume the stream and return its result (for callers that do not display it)."""
        for _ in self:
            pass
        return self.result()
