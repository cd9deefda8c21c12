"""Mailer over Amazon SES (SendEmail, plain text, UTF-8). The sender must be a verified
identity in the SES region; in the SES sandbox the recipient must be verified too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import aws_errors

if TYPE_CHECKING:
    from types_boto3_ses.client import SESClient


def _one_line(text: str) -> str:
    return " ".join(text.split())


class SesMailer:
    """Implements ``services.ports.Mailer``."""

    def __init__(self, client: SESClient) -> None:
        self._client = client

    def send(
        self, sender: str, recipient: str, subject: str, body: str, reply_to: str | None = None,
        html: str | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {
            "Source": sender,
            "Destination": {"ToAddresses": [recipient]},
            "Message": {
                "Subject": {"Data": _one_line(subject), "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        }
        if html is not None:
            kwargs["Message"]["Body"]["Html"] = {"Data": html, "Charset": "UTF-8"}
        if reply_to:
            kwargs["ReplyToAddresses"] = [_one_line(reply_to)]
        with aws_errors():
            self._client.send_email(**kwargs)
