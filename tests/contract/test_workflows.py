"""Workflows over HTTP, as a client written against the reference: /api/workflows and its sub-resources."""

from __future__ import annotations

import requests

from tests.contract.helpers import assert_error, bearer, mint_key, sign_up_and_log_in

PROMPT = ("Win back customers whose gym membership lapsed in the last 90 days. Call 10am-7pm IST, "
          "friendly tone, offer up to 20% off the first 3 months, auto-approve up to 10%.")
AUDIENCE_CSV = (b"\xef\xbb\xbfFull Name;Mobile;Plan\nAsha;+91 98765 43210;Gold\nRavi;98765 43211;Silver\n"
                b"Junk;12;Gold\nAsha dup;+919876543210;Gold\n")


def _create(http: requests.Session, base_url: str, account, **fields) -> dict:
    response = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT, **fields}, headers=account.auth)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_read_list_a_workflow(base_url: str, http: requests.Session) -> None:
    # Given a tenant in India
    owner = sign_up_and_log_in(http, base_url, country="IN")

    # When a workflow is created from a prompt
    created = _create(http, base_url, owner, persona_override="rohan", is_test=True)

    # Then it is a draft with a rule book, listed and readable as the reference shows
    assert created["status"] == "draft" and created["persona"] == "rohan"
    assert {"system_prompt", "objection_handlers"} <= set(created["rule_book"])
    listed = http.get(f"{base_url}/api/workflows", headers=owner.auth).json()
    assert listed["tenant_id"] == owner.tenant_id
    assert set(listed["workflows"][0]) >= {"id", "name", "status", "persona", "schedule_kind", "rule_book_id",
                                           "updated_at", "created_at"}
    detail = http.get(f"{base_url}/api/workflows/{created['id']}", headers=owner.auth).json()
    assert set(detail) >= {"id", "name", "status", "persona", "schedule_kind", "rule_book", "audience_count",
                           "runs_count", "compliance", "created_at", "updated_at"}


def test_a_status_filter_narrows_the_list(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)
    _create(http, base_url, owner)

    drafts = http.get(f"{base_url}/api/workflows?status=draft", headers=owner.auth).json()["workflows"]
    live = http.get(f"{base_url}/api/workflows?status=live", headers=owner.auth).json()["workflows"]
    bad = http.get(f"{base_url}/api/workflows?status=sleeping", headers=owner.auth)

    assert len(drafts) == 1 and live == []
    assert_error(bad, 400, field="status")


def test_a_csv_audience_is_normalised_deduplicated_and_counted(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url, country="IN")
    workflow = _create(http, base_url, owner)

    response = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=owner.auth,
                         files={"file": ("audience.csv", AUDIENCE_CSV, "text/csv")})

    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 2, "rejected_dnc": 0, "rejected_ncpr": 0, "rejected_cooldown": 0,
                               "rejected_invalid": 1, "duplicates": 1, "total_targets": 2}


def test_consent_attestation_refuses_api_keys(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)
    workflow = _create(http, base_url, owner)
    key = mint_key(http, base_url, owner)
    body = {"consent_attestation_text": "All contacts opted in", "dpdp_consent_method": "web form"}

    by_key = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", json=body, headers=bearer(key["secret"]))
    by_user = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance", json=body, headers=owner.auth)

    assert_error(by_key, 403, code="USER_REQUIRED")
    assert by_user.status_code == 200 and by_user.json()["consent_attested_by_user_id"] == owner.user_id


def test_regenerate_retire_and_delete(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)
    workflow = _create(http, base_url, owner)
    path = f"{base_url}/api/workflows/{workflow['id']}"

    regenerated = http.post(f"{path}/regenerate-rule-book", json={"nl_prompt": PROMPT + " Speak Hinglish."},
                            headers=owner.auth)
    retired = http.post(f"{path}/retire", headers=owner.auth)
    edit_after = http.put(path, json={"name": "too late"}, headers=owner.auth)
    deleted = http.delete(path, headers=owner.auth)

    assert regenerated.status_code == 200 and regenerated.json()["rule_book_id"] != workflow["rule_book_id"]
    assert retired.json()["status"] == "retired"
    assert_error(edit_after, 409, code="WORKFLOW_RETIRED")
    assert deleted.status_code == 200 and deleted.json()["archived_at"]


def test_an_invalid_rule_book_edit_is_a_422_with_every_problem(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url, country="US")
    workflow = _create(http, base_url, owner)
    window = {"start": "06:00", "end": "23:30", "timezone": "America/New_York", "days": ["mon"]}

    response = http.put(f"{base_url}/api/workflows/{workflow['id']}", json={"rule_book": {"calling_window": window}},
                        headers=owner.auth)

    body = assert_error(response, 422, code="RULE_BOOK_INVALID")
    assert all({"field", "message"} <= set(problem) for problem in body["errors"])


def test_another_tenants_workflow_is_not_found(base_url: str, http: requests.Session) -> None:
    owner, stranger = sign_up_and_log_in(http, base_url), sign_up_and_log_in(http, base_url)
    path = f"{base_url}/api/workflows/{_create(http, base_url, owner)['id']}"

    for response in (http.get(path, headers=stranger.auth), http.put(path, json={"name": "x"}, headers=stranger.auth),
                     http.delete(path, headers=stranger.auth), http.post(f"{path}/retire", headers=stranger.auth),
                     http.post(f"{path}/regenerate-rule-book", headers=stranger.auth)):
        assert_error(response, 404, code="WORKFLOW_NOT_FOUND")


def test_unauthenticated_and_read_only_callers_are_refused(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)
    read_key = mint_key(http, base_url, owner, scope="read")

    assert_error(http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT}), 401)
    assert_error(http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT},
                           headers=bearer(read_key["secret"])), 403)
    assert http.get(f"{base_url}/api/workflows", headers=bearer(read_key["secret"])).status_code == 200


def test_objections_used_by_a_new_rule_book_count_in_the_library(base_url: str, http: requests.Session) -> None:
    owner = sign_up_and_log_in(http, base_url)
    before = {o["id"]: o["use_count"] for o in http.get(f"{base_url}/api/objections").json()["objections"]}

    created = _create(http, base_url, owner)

    handlers = created["rule_book"]["objection_handlers"]
    used = {handler["objection_id"] for handler in handlers if handler["objection_id"]}
    after = {o["id"]: o["use_count"] for o in http.get(f"{base_url}/api/objections").json()["objections"]}
    assert used and all(after[objection_id] > before[objection_id] for objection_id in used)
