"""Customer timeline over HTTP: GET /api/timeline, fed by DNC changes."""

from __future__ import annotations

import pytest
import requests

from tests.contract.helpers import Account, assert_error, sign_up_and_log_in

NUMBER = "+919876543210"


@pytest.fixture
def owner(http: requests.Session, base_url: str) -> Account:
    return sign_up_and_log_in(http, base_url, country="IN")


def test_a_number_added_to_dnc_shows_on_its_timeline(base_url: str, http: requests.Session, owner: Account) -> None:
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER, "reason": "asked"})

    response = http.get(f"{base_url}/api/timeline", headers=owner.auth, params={"phone": NUMBER})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 1
    event = body["events"][0]
    assert set(event) == {"at", "kind", "direction", "workflow_id", "run_id", "summary", "payload"}
    assert (event["kind"], event["payload"]["action"], event["payload"]["reason"]) == ("dnc", "added", "asked")


def test_another_workspace_sees_nothing(base_url: str, http: requests.Session, owner: Account) -> None:
    stranger = sign_up_and_log_in(http, base_url, country="IN")
    http.post(f"{base_url}/dnc/add", headers=owner.auth, json={"phone_e164": NUMBER})

    response = http.get(f"{base_url}/api/timeline", headers=stranger.auth, params={"phone": NUMBER})

    assert response.status_code == 200 and response.json() == {"count": 0, "events": []}


def test_no_identifier_is_a_400(base_url: str, http: requests.Session, owner: Account) -> None:
    response = http.get(f"{base_url}/api/timeline", headers=owner.auth)

    assert_error(response, 400, code="IDENTIFIER_REQUIRED")
