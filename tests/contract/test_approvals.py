"""Approvals over HTTP: GET /approvals and POST /approvals/{id}/decide.

No public API creates an approval yet (the conversation engine does, in-process), so over HTTP the queue
is empty and every decision targets an unknown id; the decide rules are proven in the integration tests.
"""

from __future__ import annotations

import pytest
import requests

from tests.contract.helpers import Account, assert_error, mint_key, sign_up_and_log_in

UNKNOWN_ID = "apr_0000000000000000000"


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url, country="IN")


@pytest.mark.parametrize("prefix", ["", "/api", "/v1"])
def test_a_new_workspace_has_an_empty_queue(base_url: str, http: requests.Session, owner: Account,
                                           prefix: str) -> None:
    response = http.get(f"{base_url}{prefix}/approvals", headers=owner.auth)

    assert response.status_code == 200, response.text
    assert response.json() == {"approvals": []}


def test_the_queue_accepts_the_reference_filters(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.get(f"{base_url}/approvals", headers=owner.auth,
                        params={"workflow_id": "wf_1", "status": "pending"})

    assert response.status_code == 200, response.text
    assert response.json() == {"approvals": []}


def test_an_unknown_status_filter_is_a_400_on_status(base_url: str, http: requests.Session, owner: Account) -> None:
    assert_error(http.get(f"{base_url}/approvals", headers=owner.auth, params={"status": "maybe"}), 400,
                 field="status")


def test_the_queue_needs_credentials(base_url: str, http: requests.Session) -> None:
    assert_error(http.get(f"{base_url}/approvals"), 401)


def test_deciding_an_unknown_approval_is_a_404(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.post(f"{base_url}/approvals/{UNKNOWN_ID}/decide", headers=owner.auth,
                         json={"decision": "approve", "note": "fine"})

    assert_error(response, 404, code="APPROVAL_NOT_FOUND")


@pytest.mark.parametrize(("body", "field"), [
    ({}, "decision"), ({"decision": "maybe"}, "decision"), ({"decision": "deny", "note": "x" * 501}, "note"),
])
def test_a_malformed_decision_is_a_400_naming_the_field(base_url: str, http: requests.Session, owner: Account,
                                                         body: dict, field: str) -> None:
    response = http.post(f"{base_url}/approvals/{UNKNOWN_ID}/decide", headers=owner.auth, json=body)

    assert_error(response, 400, field=field)


def test_a_read_key_cannot_decide(base_url: str, http: requests.Session, owner: Account) -> None:
    read_key = mint_key(http, base_url, owner, scope="read")["secret"]
    response = http.post(f"{base_url}/approvals/{UNKNOWN_ID}/decide", headers={"Authorization": f"Bearer {read_key}"},
                         json={"decision": "approve"})

    assert_error(response, 403)
