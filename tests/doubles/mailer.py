"""A Mailer that records what it was asked to send (and can fail like SES)."""

from __future__ import annotations

from dataclasses import dataclass

from services.errors import DemoFactoryError


@dataclass(frozen=True)
class SentMail:
    sender: str
    recipient: str
    subject: str
    body: str
    reply_to: str | None = None
    html: str | None = None


class RecordingMailer:
    """Implements ``services.ports.Mailer``. ``sent`` lists every accepted message."""

    def __init__(self, fail_with: DemoFactoryError | None = None) -> None:
        self.sent: list[SentMail] = []
        self.fail_with = fail_with

    def send(self, sender: str, recipient: str, subject: str, body: str,
             reply_to: str | None = None, html: str | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(SentMail(sender, recipient, subject, body, reply_to, html))

    def to(self, recipient: str) -> list[SentMail]:
        return [m for m in self.sent if m.recipient == recipient]
