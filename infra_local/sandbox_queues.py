"""`GET /_sandbox/queues`: how many messages each catalog queue and its DLQ hold (is my event stuck?).

Local only: not a catalog route, never deployed.
"""

from __future__ import annotations

from typing import Any

from infra_local.environment import DEAD_LETTER_SUFFIX, catalog_queues, local_queue_url
from infra_local.http_adapter import HttpResponse, json_response

QUEUES_PATH = "/_sandbox/queues"
_COUNTS = {"visible": "ApproximateNumberOfMessages", "in_flight": "ApproximateNumberOfMessagesNotVisible"}


def queues_response(*, region: str, account_id: str) -> HttpResponse:
    from shared.platform.aws import client

    sqs = client("sqs")

    def counts(queue: str) -> dict[str, int]:
        url = local_queue_url(queue, region=region, account_id=account_id)
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(_COUNTS.values()))["Attributes"]
        return {name: int(attributes[attribute]) for name, attribute in _COUNTS.items()}

    body: dict[str, Any] = {
        queue: {**counts(queue), "dead_letters": counts(queue + DEAD_LETTER_SUFFIX)["visible"]}
        for queue in catalog_queues()
    }
    return json_response(200, body)
