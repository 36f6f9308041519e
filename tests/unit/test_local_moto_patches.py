"""The laptop stack's moto is reached from many threads at once (the voice plane runs in its process): DynamoDB and
S3 requests are served one at a time per service, as AWS serves each atomically; services that call out or wait
(Lambda, Step Functions, SQS long polls) are left concurrent. Driven with a slow stand-in for moto's dispatcher."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from infra_local import moto_patches

DYNAMODB = "https://dynamodb.us-east-1.amazonaws.com/"
S3 = "https://callfunnel-media-local.s3.amazonaws.com/recordings/7/call_1/call.wav"
SQS = "https://sqs.us-east-1.amazonaws.com/123456789012/call-events"


@pytest.fixture
def slow_moto(monkeypatch):
    """moto's request dispatch replaced by one that takes 20 ms and counts how many run at once, per URL."""
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}
    lock = threading.Lock()

    def dispatch(stubber, request):
        with lock:
            in_flight[request.url] = in_flight.get(request.url, 0) + 1
            most[request.url] = max(most.get(request.url, 0), in_flight[request.url])
        time.sleep(0.02)
        with lock:
            in_flight[request.url] -= 1
        return 200, {}, b""

    monkeypatch.setattr(BotocoreStubber, "process_request", dispatch)
    monkeypatch.setattr(moto_patches, "_installed", set())
    moto_patches.serialize_requests()
    return most


def _at_once(url: str, threads: int = 6) -> None:
    stubber = BotocoreStubber()
    workers = [threading.Thread(target=BotocoreStubber.process_request, args=(stubber, SimpleNamespace(url=url)))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_dynamodb_and_s3_requests_are_served_one_at_a_time(slow_moto) -> None:
    _at_once(DYNAMODB)
    _at_once(S3)

    assert slow_moto == {DYNAMODB: 1, S3: 1}


def test_other_services_stay_concurrent(slow_moto) -> None:
    _at_once(SQS)

    assert slow_moto[SQS] > 1


@pytest.mark.parametrize(("url", "service"), [
    (DYNAMODB, "dynamodb"), (S3, "s3"), ("https://s3.amazonaws.com/bucket/key", "s3"),
    ("https://bucket.s3.us-east-1.amazonaws.com/key", "s3"), (SQS, None),
    ("https://states.us-east-1.amazonaws.com/", None), ("https://lambda.us-east-1.amazonaws.com/", None)])
def test_the_lock_is_chosen_by_the_endpoints_service(url: str, service: str | None) -> None:
    expected = moto_patches._SERVICE_LOCKS.get(service) if service else None

    assert moto_patches.service_lock(url) is expected
