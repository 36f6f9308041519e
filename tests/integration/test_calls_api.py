"""GET /calls, /calls/{id} and /calls/{id}/recording in-process on moto: filters served by keys, newest first,
cursor pages, tenant isolation, transcripts, latency and recordings, and the contract's 400/404 answers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from shared.calls import repository
from shared.calls.models import Call, Recording
from tests.integration.conftest import mint_key, sign_up_and_log_in

START = datetime(2026, 5, 4, 15, 0, 0, tzinfo=UTC)


def _call(tenant_id: int, index: int, *, workflow_id: str = "wf_a", run_id: str = "run_a1",
          phone: str | None = None, status: str = "completed", **fields) -> Call:
    call = Call(id=f"call_{index:03d}", tenant_id=tenant_id, workflow_id=workflow_id, run_id=run_id, segment=1,
                target_phone=phone or f"+1415555{index:04d}", attempt=1, is_test=False, status=status,
                created_at=START + timedelta(minutes=index), **fields)
    assert repository.claim(call) is not None
    return call


def _list(api, token: str, **query) -> dict:
    reply = api.get("/calls", token=token, query=urlencode(query))
    assert reply.status == 200, reply.body
    return reply.body


def _ids(page: dict) -> list[str]:
    return [call["id"] for call in page["calls"]]


def test_calls_list_newest_first_with_their_summary(api) -> None:
    owner = sign_up_and_log_in(api)
    for index in range(3):
        _call(owner.tenant_id, index, outcome="converted", duration_seconds=75, charged_minor=24,
              from_number="+14155550100", answered_at=START + timedelta(minutes=index, seconds=5),
              ended_at=START + timedelta(minutes=index, seconds=80))

    page = _list(api, owner.token)

    assert _ids(page) == ["call_002", "call_001", "call_000"]
    assert page["next_cursor"] is None
    assert page["calls"][0] == {
        "id": "call_002", "workflow_id": "wf_a", "run_id": "run_a1", "reason": "campaign", "to": "+14155550002",
        "from": "+14155550100", "status": "completed", "outcome": "converted", "started_at": "2026-05-04T15:02:00Z",
        "answered_at": "2026-05-04T15:02:05Z", "ended_at": "2026-05-04T15:03:20Z", "duration_seconds": 75,
        "cost_minor": 24, "currency": "USD", "has_recording": False}


def test_pages_follow_the_cursor_without_gaps_or_repeats(api) -> None:
    owner = sign_up_and_log_in(api)
    for index in range(5):
        _call(owner.tenant_id, index)

    seen, cursor, pages = [], None, 0
    while True:
        page = _list(api, owner.token, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += _ids(page)
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [f"call_{index:03d}" for index in (4, 3, 2, 1, 0)]
    assert pages == 3


@pytest.mark.parametrize(("query", "expected"), [
    ({"workflow_id": "wf_b"}, ["call_003", "call_002"]),
    ({"run_id": "run_b2"}, ["call_003"]),
    ({"phone": "+14155550001"}, ["call_001"]),
    ({"phone": " 14155550001"}, ["call_001"]),  # the `+` of an unencoded query string arrives as a space
    ({"status": "no-answer"}, ["call_002", "call_000"]),
    ({"workflow_id": "wf_b", "status": "no-answer"}, ["call_002"]),
    ({"workflow_id": "wf_a", "run_id": "run_b2"}, []),
    ({"phone": "+14155550003", "status": "completed"}, ["call_003"]),
])
def test_each_filter_and_their_combinations(api, query, expected) -> None:
    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0, status="no-answer")
    _call(owner.tenant_id, 1)
    _call(owner.tenant_id, 2, workflow_id="wf_b", run_id="run_b1", status="no-answer")
    _call(owner.tenant_id, 3, workflow_id="wf_b", run_id="run_b2")

    assert _ids(_list(api, owner.token, **query)) == expected


def test_a_call_is_listed_under_its_current_status_only(api) -> None:
    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0, status="placing")

    repository.update(owner.tenant_id, "call_000", status="in-progress")
    repository.update_if(owner.tenant_id, "call_000", status_not_in=("completed",), status="completed")

    assert _ids(_list(api, owner.token, status="placing")) == []
    assert _ids(_list(api, owner.token, status="in-progress")) == []
    assert _ids(_list(api, owner.token, status="completed")) == ["call_000"]


def test_a_rare_match_costs_pages_not_an_unbounded_read(api, monkeypatch) -> None:
    from shared.calls import service

    monkeypatch.setattr(service, "MAX_READ_PER_PAGE", 3)
    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0, status="busy")
    for index in range(1, 8):
        _call(owner.tenant_id, index)

    first = _list(api, owner.token, workflow_id="wf_a", status="busy", limit=5)
    found, cursor = _ids(first), first["next_cursor"]
    while cursor:
        page = _list(api, owner.token, workflow_id="wf_a", status="busy", limit=5, cursor=cursor)
        found, cursor = found + _ids(page), page["next_cursor"]

    assert _ids(first) == [] and first["next_cursor"] is not None  # 3 read, none matched: a short page
    assert found == ["call_000"]


def test_another_tenants_calls_are_invisible(api) -> None:
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    _call(owner.tenant_id, 0, workflow_id="wf_a", phone="+14155550123")
    key = mint_key(api, stranger, scope="read")["secret"]

    assert _ids(_list(api, key)) == []
    assert _ids(_list(api, key, workflow_id="wf_a")) == []
    assert _ids(_list(api, key, phone="+14155550123")) == []
    assert _ids(_list(api, key, status="completed")) == []
    reply = api.get("/calls/call_000", token=key)
    assert reply.status == 404 and reply.body["code"] == "CALL_NOT_FOUND"
    assert api.get("/calls/call_000/recording", token=key).status == 404


def test_a_forged_cursor_still_reads_only_the_callers_own_calls(api) -> None:
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    _call(owner.tenant_id, 0)
    # A well-formed sort key after every call: it can only seek inside the stranger's own listing.
    forged = base64.urlsafe_b64encode(b"2099-01-01T00:00:00.000000Z#call_000").decode().rstrip("=")

    assert _ids(_list(api, stranger.token, cursor=forged)) == []
    assert _ids(_list(api, owner.token, cursor=forged)) == ["call_000"]


@pytest.mark.parametrize(("query", "field", "code"), [
    ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor", "INVALID_CURSOR"),  # base64 of "not-a-cursor"
    ({"cursor": "%%%"}, "cursor", "INVALID_CURSOR"),
    ({"limit": "0"}, "limit", None),
    ({"limit": "201"}, "limit", None),
    ({"status": "done"}, "status", None),
    ({"phone": "+1 12"}, "phone", "INVALID_PHONE_NUMBER"),
    ({"workflow_id": "wf#1"}, "workflow_id", None),
])
def test_bad_query_parameters_are_400_with_the_field(api, query, field, code) -> None:
    owner = sign_up_and_log_in(api)

    reply = api.get("/calls", token=owner.token, query=urlencode(query))

    assert reply.status == 400, reply.body
    assert reply.body["field"] == field
    if code:
        assert reply.body["code"] == code


def test_limit_bounds_are_inclusive(api) -> None:
    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0)
    _call(owner.tenant_id, 1)

    assert _ids(_list(api, owner.token, limit=1)) == ["call_001"]
    assert len(_list(api, owner.token, limit=200)["calls"]) == 2


def test_one_call_has_its_transcript_from_the_answer_and_no_latency_or_recording_yet(api) -> None:
    owner = sign_up_and_log_in(api)
    answered = START + timedelta(seconds=4)
    _call(owner.tenant_id, 0, answered_at=answered, transcript=[
        {"speaker": "agent", "text": "Hi, this is an AI assistant", "at": "2026-05-04T15:00:04.500000Z"},
        {"speaker": "callee", "text": "Who is this?", "at": "2026-05-04T15:00:09Z"},
    ])

    reply = api.get("/calls/call_000", token=owner.token)

    assert reply.status == 200, reply.body
    assert reply.body["transcript"] == [
        {"speaker": "agent", "text": "Hi, this is an AI assistant", "offset_ms": 500, "interrupted": False},
        {"speaker": "contact", "text": "Who is this?", "offset_ms": 5000, "interrupted": False}]
    assert reply.body["latency"] is None and reply.body["recording"] is None
    assert reply.body["to"] == "+14155550000" and reply.body["has_recording"] is False
    missing = api.get("/calls/call_000/recording", token=owner.token)
    assert missing.status == 404 and missing.body["code"] == "RECORDING_NOT_FOUND"


def test_voice_plane_utterances_latency_and_recording_are_shown_and_the_recording_redirects(api, bucket) -> None:
    from shared.platform.aws import client

    owner = sign_up_and_log_in(api)
    call = _call(owner.tenant_id, 0)
    key = f"recordings/{owner.tenant_id}/{call.id}/call.wav"
    client("s3").put_object(Bucket=bucket, Key=key, Body=b"RIFF....WAVE")
    repository.update(owner.tenant_id, call.id, transcript=[
        {"speaker": "agent", "text": "Hello", "offset_ms": 120, "interrupted": True},
        {"speaker": "contact", "text": "Stop", "offset_ms": 900, "interrupted": False}],
        turn_latencies_ms=[640, 700, 580, 950, 610], recording=Recording(key=key, duration_ms=61_000, channels=2))

    detail = api.get(f"/calls/{call.id}", token=owner.token).body
    redirect = api.get(f"/calls/{call.id}/recording", token=owner.token)

    assert detail["transcript"][0] == {"speaker": "agent", "text": "Hello", "offset_ms": 120, "interrupted": True}
    assert detail["latency"] == {"turns": 5, "p50_ms": 640, "p95_ms": 950}
    assert detail["recording"]["duration_ms"] == 61_000 and detail["recording"]["channels"] == 2
    assert detail["recording"]["url"].endswith(key) and detail["has_recording"] is True
    assert redirect.status == 302 and redirect.headers["location"] == detail["recording"]["url"]
    assert _list(api, owner.token)["calls"][0]["has_recording"] is True


def test_a_recording_key_outside_the_calls_own_prefix_is_never_handed_out(api) -> None:
    owner = sign_up_and_log_in(api)
    call = _call(owner.tenant_id, 0)
    repository.update(owner.tenant_id, call.id, recording=Recording(key="recordings/999/call_x/a.wav", duration_ms=1))

    assert api.get(f"/calls/{call.id}", token=owner.token).body["recording"] is None
    assert api.get(f"/calls/{call.id}/recording", token=owner.token).status == 404


def test_in_the_cloud_the_recording_url_is_presigned_for_minutes(api, settings) -> None:
    from urllib.parse import parse_qs, urlparse

    from shared.auth.principal import Principal, Scope
    from shared.calls import service

    owner = sign_up_and_log_in(api)
    call = _call(owner.tenant_id, 0)
    key = f"recordings/{owner.tenant_id}/{call.id}/call.wav"
    repository.update(owner.tenant_id, call.id, recording=Recording(key=key, duration_ms=1000))
    settings(CALLFUNNEL_ENVIRONMENT="aws")

    url = service.recording_url(Principal(owner.tenant_id, "api_key", Scope.READ, None), call.id)

    assert urlparse(url).path.endswith(key)
    assert parse_qs(urlparse(url).query)["X-Amz-Expires"] == ["300"]


def test_an_erased_number_leaves_no_listing_under_it(api) -> None:
    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0, phone="+14155550123")

    repository.update(owner.tenant_id, "call_000", target_phone="erased:abc123", transcript=[])

    assert _ids(_list(api, owner.token, phone="+14155550123")) == []
    assert _list(api, owner.token)["calls"][0]["to"] == "erased:abc123"
    assert "+14155550123" not in str(_raw_items(owner.tenant_id))


def test_an_undone_claim_leaves_no_listing_behind(api) -> None:
    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0)

    repository.delete(owner.tenant_id, "call_000")

    assert _ids(_list(api, owner.token, workflow_id="wf_a")) == []
    assert _raw_items(owner.tenant_id) == []


def _raw_items(tenant_id: int) -> list[dict]:
    """Every call item and listing ref of the tenant, as stored (a test may Scan)."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    items = client("dynamodb").scan(TableName=get_settings().table_name)["Items"]
    return [item for item in items if item["type"]["S"] in ("Call", "CallRef")
            and item["PK"]["S"].startswith(f"TENANT#{tenant_id}")]


def test_calls_stored_before_the_listings_are_backfilled_once(api, capsys) -> None:
    from ops import backfill_call_listings
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    owner = sign_up_and_log_in(api)
    _call(owner.tenant_id, 0, status="busy")
    _call(owner.tenant_id, 1)
    dynamodb, table = client("dynamodb"), get_settings().table_name
    for item in _raw_items(owner.tenant_id):  # as a call was stored before: no status key, no refs
        if item["type"]["S"] == "CallRef":
            dynamodb.delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
        else:
            dynamodb.update_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]},
                                 UpdateExpression="REMOVE GSI2PK, GSI2SK")
    assert _ids(_list(api, owner.token, status="busy")) == []
    assert _ids(_list(api, owner.token, workflow_id="wf_a")) == []

    assert backfill_call_listings.main([]) == 0
    assert backfill_call_listings.main([]) == 0

    assert capsys.readouterr().out.splitlines() == ["2 calls without listing keys; 2 given them.",
                                                    "0 calls without listing keys; 0 given them."]
    assert _ids(_list(api, owner.token, status="busy")) == ["call_000"]
    assert _ids(_list(api, owner.token, workflow_id="wf_a")) == ["call_001", "call_000"]
    assert _ids(_list(api, owner.token, phone="+14155550001")) == ["call_001"]
