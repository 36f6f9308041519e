"""GET /timeline in-process on moto: fed by DNC changes, newest first, paged with `before`, per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from shared.platform import clock
from shared.timeline import service as timeline
from shared.timeline.models import TimelineContact, TimelineEvent
from tests.integration.conftest import mint_key, sign_up_and_log_in

NUMBER = "+919876543210"
START = datetime(2026, 5, 1, 9, 0, 0, tzinfo=UTC)


def _timeline(api, account, **query):
    return api.get("/timeline", token=account.token, query=urlencode(query))


def _event(tenant_id: int, minute: int, **contact) -> TimelineEvent:
    return TimelineEvent(id=f"tle_{minute:03d}", tenant_id=tenant_id, at=START + timedelta(minutes=minute),
                         kind="call", direction="outbound", workflow_id="wf_1", run_id=f"run_{minute}",
                         summary=f"call {minute}", payload={"minute": minute}, contact=TimelineContact(**contact))


def test_adding_re_adding_and_removing_a_number_show_on_its_timeline_newest_first(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    for minute, action in enumerate(("add", "add", "remove")):
        clock.freeze(START + timedelta(minutes=minute))
        if action == "add":
            api.post("/dnc/add", {"phone_e164": NUMBER, "reason": f"r{minute}"}, token=owner.token)
        else:
            api.delete("/dnc/%2B919876543210", token=owner.token)

    reply = _timeline(api, owner, phone="098765 43210")

    assert reply.status == 200, reply.body
    assert reply.body["count"] == 3
    assert [event["payload"]["action"] for event in reply.body["events"]] == ["removed", "refreshed", "added"]
    newest = reply.body["events"][0]
    assert set(newest) == {"at", "kind", "direction", "workflow_id", "run_id", "summary", "payload"}
    assert (newest["kind"], newest["direction"], newest["payload"]["actor"]) == ("dnc", None, f"user:{owner.user_id}")


def test_an_import_writes_one_event_per_new_number(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    numbers = [f"+9198765432{index:02d}" for index in range(30)]  # more than one BatchWriteItem request

    api.post("/dnc/import", {"rows": [{"phone_e164": number} for number in numbers]}, token=owner.token)

    for number in (numbers[0], numbers[-1]):
        events = _timeline(api, owner, phone=number).body["events"]
        assert [(event["kind"], event["payload"]["source"]) for event in events] == [("dnc", "import")]


def test_before_pages_back_through_older_events(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    timeline.record_many(owner.tenant_id, [_event(owner.tenant_id, minute, phone=NUMBER) for minute in range(5)])

    first = _timeline(api, owner, phone=NUMBER, n="2").body
    cursor = first["events"][-1]["at"]
    second = _timeline(api, owner, phone=NUMBER, n="2", before=cursor).body

    assert [event["summary"] for event in first["events"]] == ["call 4", "call 3"]
    assert [event["summary"] for event in second["events"]] == ["call 2", "call 1"]


def test_an_event_is_found_by_each_identifier_it_names(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    timeline.record(owner.tenant_id, _event(owner.tenant_id, 1, phone=NUMBER, email="Ana@Example.com", user_id="u9"))

    found = [_timeline(api, owner, **query).body["count"]
             for query in ({"phone": NUMBER}, {"email": "ana@example.COM"}, {"user_id": "u9"})]

    assert found == [1, 1, 1]


def test_another_tenant_never_sees_the_events(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    stranger = sign_up_and_log_in(api, country="IN")
    api.post("/dnc/add", {"phone_e164": NUMBER}, token=owner.token)

    reply = _timeline(api, stranger, phone=NUMBER)

    assert reply.status == 200 and reply.body == {"count": 0, "events": []}


def test_a_read_scoped_api_key_may_read_the_timeline(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    api.post("/dnc/add", {"phone_e164": NUMBER}, token=owner.token)
    key = mint_key(api, owner, scope="read")

    reply = api.get("/api/timeline", token=key["secret"], query=urlencode({"phone": NUMBER}))

    assert reply.status == 200 and reply.body["count"] == 1


def test_without_an_identifier_it_is_a_400(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = _timeline(api, owner)

    assert reply.status == 400 and reply.body["code"] == "IDENTIFIER_REQUIRED"


def test_an_invalid_phone_is_a_400_on_phone(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = _timeline(api, owner, phone="+91 12")

    assert reply.status == 400 and reply.body["field"] == "phone"


def test_n_outside_1_to_500_is_a_400_on_n(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    replies = [_timeline(api, owner, phone=NUMBER, n=n) for n in ("0", "501")]

    assert [(reply.status, reply.body.get("field")) for reply in replies] == [(400, "n"), (400, "n")]


def test_before_must_be_an_rfc_3339_timestamp(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = _timeline(api, owner, phone=NUMBER, before="yesterday")

    assert reply.status == 400 and reply.body["field"] == "before"


def test_without_a_credential_it_is_a_401(api) -> None:
    reply = api.get("/timeline", query=urlencode({"phone": NUMBER}))

    assert reply.status == 401
