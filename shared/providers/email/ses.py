"""Amazon SES adapter."""

from __future__ import annotations

from shared.platform.aws import client
from shared.platform.observability import get_logger
from shared.providers.email.port import Email


class SesEmailSender:
    def __init__(self, sender: str) -> None:
        self._sender = sender

    def send(self, email: Email) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            client("ses").send_email(
                Source=self._sender,
                Destination={"ToAddresses": [email.to]},
                Message={"Subject": {"Data": email.subject, "Charset": "UTF-8"},
                         "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}}},
            )
        except (BotoCoreError, ClientError) as error:
            get_logger().warning("email not sent", extra={"error_type": type(error).__name__})
            return False
        return True
