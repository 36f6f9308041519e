"""The laptop stack behaves like API Gateway in front of the catalog's functions."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests

from tests.contract.conftest import LocalStack
from tests.contract.helpers import sign_up_and_log_in

TEN_MEGABYTES = 10 * 1024 * 1024
# The stack inherits the test process's environment (tests/contract/conftest.py), and test modules are
# imported before it starts: a known webhook secret lets these tests sign webhooks as the processor does.
QUEUE_DRAIN_SECONDS = 15


@pytest.mark.parametrize("path", ["/no-such-route", "/api/no-such-route", "/v1/auth/no-such-route"])
def test_an_unknown_path_answers_404_with_the_contract_error_body(base_url: str, http: requests.Session,
                                                                   path: str) -> None:
    # Given a path that no catalog route declares
    # When it is requested
    response = http.get(f"{base_url}{path}")

    # Then the function serving unmatched routes answers with the contract's error shape
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert {"error", "code"} <= response.json().keys()


@pytest.mark.parametrize("alias", ["/api", "/v1"])
def test_an_alias_prefix_reaches_the_same_function(base_url: str, http: requests.Session, alias: str) -> None:
    # Given the health endpoint at its own path
    plain = http.get(f"{base_url}/healthz")

    # When it is requested under an alias prefix
    aliased = http.get(f"{base_url}{alias}/healthz")

    # Then the same function answers the same thing
    assert plain.status_code == aliased.status_code == 200
    assert aliased.json() == plain.json()


def test_head_answers_the_get_headers_without_a_body(base_url: str, http: requests.Session) -> None:
    # Given the health endpoint's GET answer
    get = http.get(f"{base_url}/healthz")

    # When HEAD asks for the same path
    head = http.head(f"{base_url}/healthz")

    # Then the status and headers match, and no body follows
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.content == b""


def test_a_body_over_10_mb_is_refused_with_413_before_any_function_runs(base_url: str,
                                                                        http: requests.Session) -> None:
    # Given a request body one byte over API Gateway's limit
    body = b"x" * (TEN_MEGABYTES + 1)

    # When it is posted
    response = http.post(f"{base_url}/auth/signup", data=body, headers={"Content-Type": "application/json"})

    # Then the stack refuses it with the contract's error body
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_the_sandbox_outbox_answers_a_json_list(base_url: str, http: requests.Session) -> None:
    # When the outbox is read
    response = http.get(f"{base_url}/_sandbox/outbox")

    # Then it is a JSON list of sent emails
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_the_stack_boots_with_the_ncpr_sample_loaded(base_url: str, http: requests.Session) -> None:
    # Given an Indian tenant and a number of the sample registry (infra_local/ncpr_sample.csv)
    account = sign_up_and_log_in(http, base_url, country="IN")

    # When the number is checked, and one the sample does not hold
    registered = http.get(f"{base_url}/dnc/check", headers=account.auth, params={"phone_e164": "+919000000001"})
    unregistered = http.get(f"{base_url}/dnc/check", headers=account.auth, params={"phone_e164": "+919000000009"})

    # Then only the registered one is on the NCPR
    assert registered.status_code == unregistered.status_code == 200, (registered.text, unregistered.text)
    assert (registered.json()["on_ncpr"], unregistered.json()["on_ncpr"]) == (True, False)


# The sandbox media route: moto's S3 media bucket, served where a presigned URL would point in the cloud.

MP3_STARTS = (b"ID3", b"\xff\xf3", b"\xff\xfb")


@pytest.fixture(scope="module")
def preview_url(base_url: str, http: requests.Session) -> str:
    """The MP3 URL of an opener preview (the route is public: no account needed)."""
    response = http.post(f"{base_url}/workflows/preview-opening",
                         json={"text": "Hi, this is Amelia, an AI assistant calling for Acme. This call is "
                                       "recorded.", "persona": "amelia"})
    assert response.status_code == 200, response.text
    return response.json()["mp3_url"]


@pytest.mark.parametrize("key", ["audio/previews/no-such-preview.mp3", "uploads/none.csv", ""])
def test_a_missing_media_object_answers_404_with_the_contract_error_body(base_url: str, http: requests.Session,
                                                                         key: str) -> None:
    # Given a media key under which nothing is stored
    # When the sandbox media route is asked for it
    response = http.get(f"{base_url}/_sandbox/media/{key}")

    # Then it is a 404 in the contract's error shape
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "No media object at this key", "code": "NOT_FOUND"}


def test_a_previewed_opener_is_a_playable_mp3_served_from_the_stack(base_url: str, http: requests.Session,
                                                                    preview_url: str) -> None:
    # Given the URL an opener preview answered with
    assert preview_url.startswith(f"{base_url}/_sandbox/media/")

    # When it is fetched
    response = http.get(preview_url)

    # Then it is an MP3, whole, announced as audio/mpeg with byte ranges
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.content.startswith(MP3_STARTS)
    assert int(response.headers["Content-Length"]) == len(response.content) > 1000


def test_an_audio_player_can_seek_into_a_preview_with_a_range(base_url: str, http: requests.Session,
                                                              preview_url: str) -> None:
    # Given a preview's full bytes
    whole = http.get(preview_url).content

    # When a player asks for a middle slice and for the tail
    middle = http.get(preview_url, headers={"Range": "bytes=100-199"})
    tail = http.get(preview_url, headers={"Range": "bytes=-50"})

    # Then each is a 206 with exactly those bytes and where they sit in the file
    assert (middle.status_code, middle.content) == (206, whole[100:200])
    assert middle.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert (tail.status_code, tail.content) == (206, whole[-50:])
    assert tail.headers["Content-Range"] == f"bytes {len(whole) - 50}-{len(whole) - 1}/{len(whole)}"


def test_a_range_past_the_end_of_a_preview_is_refused_with_416(base_url: str, http: requests.Session,
                                                                preview_url: str) -> None:
    # Given a preview's size
    size = len(http.get(preview_url).content)

    # When a range starting past its end is asked for
    response = http.get(preview_url, headers={"Range": f"bytes={size}-"})

    # Then the stack refuses it, saying how long the object is
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert response.json()["code"] == "RANGE_NOT_SATISFIABLE"


# Queue-triggered functions: the local event source mapping polls the payment-events queue.

def _signed_webhook(event: dict, secret: str) -> tuple[bytes, dict[str, str]]:
    """A webhook as the processor signs it: HMAC-SHA256 over f"{timestamp}.{raw body}"."""
    body = json.dumps(event).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-CallFunnel-Timestamp": timestamp,
                  "X-CallFunnel-Signature": f"v1={digest}"}


def _queue_counts(base_url: str, http: requests.Session) -> dict:
    response = http.get(f"{base_url}/_sandbox/queues")
    assert response.status_code == 200, response.text
    return response.json()["payment-events"]


def test_the_sandbox_queues_route_counts_each_catalog_queue_and_its_dead_letters(base_url: str,
                                                                               http: requests.Session) -> None:
    # When the queue counts are read
    counts = _queue_counts(base_url, http)

    # Then the payment-events queue exists with its DLQ
    assert set(counts) == {"visible", "in_flight", "dead_letters"}
    assert all(isinstance(value, int) and value >= 0 for value in counts.values())


def test_a_signed_webhook_for_an_unknown_checkout_is_consumed_from_the_queue_without_a_failure(
    base_url: str, http: requests.Session, local_stack: LocalStack, webhook_secret: str
) -> None:
    # Given the dead letters so far, and a correctly signed event for a checkout nobody created
    dead_letters_before = _queue_counts(base_url, http)["dead_letters"]
    output_before = local_stack.output_path.stat().st_size
    body, headers = _signed_webhook({"id": f"evt_{uuid.uuid4().hex}", "type": "checkout.succeeded",
                                     "data": {"external_id": f"cs_unknown_{uuid.uuid4().hex}",
                                              "amount_minor": 1000, "currency": "USD"}}, webhook_secret)

    # When the processor posts it
    response = http.post(f"{base_url}/billing/webhooks/payment", data=body, headers=headers)

    # Then it is accepted, the poller hands it to the consumer, and the queue drains with no dead letter
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + QUEUE_DRAIN_SECONDS
    while (counts := _queue_counts(base_url, http))["visible"] + counts["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert counts == {"visible": 0, "in_flight": 0, "dead_letters": dead_letters_before}
    with local_stack.output_path.open("rb") as output:
        output.seek(output_before)
        assert b"failed a batch" not in output.read()


# The sandbox checkout route: the sandbox payment processor's hosted page, served by the stack.

def test_the_checkout_page_of_an_unknown_id_is_a_404(base_url: str, http: requests.Session) -> None:
    # When the sandbox checkout page of an id no top-up created is opened
    response = http.get(f"{base_url}/_sandbox/checkout/cs_never_created")

    # Then it is a 404 HTML page
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_paying_an_unknown_checkout_is_a_404_with_the_contract_error_body(base_url: str,
                                                                         http: requests.Session) -> None:
    # When the Pay button is pressed for an id no top-up created
    response = http.post(f"{base_url}/_sandbox/checkout/cs_never_created", json={"outcome": "succeeded"})

    # Then it is a 404 in the contract's error shape
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_paying_a_checkout_without_an_outcome_is_a_400(base_url: str, http: requests.Session) -> None:
    # When the checkout is posted a body without an outcome
    response = http.post(f"{base_url}/_sandbox/checkout/cs_never_created", json={})

    # Then the stack refuses it naming the field
    assert response.status_code == 400
    assert response.json()["field"] == "outcome"
