"""What a business owner sees over HTTP: a workspace named after them or their company, a workflow with a
short name, and a rule book that keeps the numbers of their prompt (an edit beyond them is refused)."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.contract.helpers import PASSWORD, assert_error, log_in, sign_up

PROMPT = "Renewal recovery for our SaaS customers, 10am-7pm ET, offer up to 15% off, auto-approve 10%"


def _owner(http: requests.Session, base_url: str, email: str, **extra) -> tuple[dict, dict[str, str]]:
    signup = sign_up(http, base_url, email=email, country="US", **extra)
    assert signup.status_code == 201, signup.text
    token = log_in(base_url, email, PASSWORD).json()["token"]
    return signup.json(), {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("local_part", "domain", "full_name", "expected"), [
    ("you", "acme.com", "Priya Shah", "Priya Shah's workspace"),
    ("you", "acme.com", None, "Acme"),
])
def test_the_workspace_is_named_after_the_owner_or_the_company(http, base_url, local_part, domain, full_name,
                                                               expected):
    email = f"{local_part}-{uuid.uuid4().hex[:8]}@{domain}"
    extra = {"full_name": full_name} if full_name else {}

    signup, auth = _owner(http, base_url, email, **extra)

    assert signup["tenant"]["name"] == expected
    assert http.get(f"{base_url}/auth/me", headers=auth).json()["tenant"]["name"] == expected


def test_a_workflow_gets_a_short_name_and_the_prompts_numbers(http, base_url):
    _, auth = _owner(http, base_url, f"owner-{uuid.uuid4().hex[:8]}@example.com")

    created = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT}, headers=auth)

    assert created.status_code == 201, created.text
    assert created.json()["name"] == "SaaS renewal recovery"
    policy = created.json()["rule_book"]["concession_policy"]
    assert (policy["hard_max_percent"], policy["auto_approve_percent"]) == (15, 10)


def test_an_edit_beyond_the_prompts_limits_is_a_422_naming_the_field(http, base_url):
    _, auth = _owner(http, base_url, f"owner-{uuid.uuid4().hex[:8]}@example.com")
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT}, headers=auth).json()
    policy = workflow["rule_book"]["concession_policy"]

    raised = http.put(f"{base_url}/api/workflows/{workflow['id']}", headers=auth,
                      json={"rule_book": {"concession_policy": {**policy, "hard_max_percent": 20}}})
    auto_above_hard = http.put(f"{base_url}/api/workflows/{workflow['id']}", headers=auth,
                               json={"rule_book": {"concession_policy": {**policy, "auto_approve_percent": 18}}})
    lowered = http.put(f"{base_url}/api/workflows/{workflow['id']}", headers=auth,
                       json={"rule_book": {"concession_policy": {**policy, "hard_max_percent": 12}}})

    assert_error(raised, 422, "RULE_BOOK_INVALID", "concession_policy.hard_max_percent")
    assert_error(auto_above_hard, 422, "RULE_BOOK_INVALID", "concession_policy.auto_approve_percent")
    assert lowered.status_code == 200 and lowered.json()["rule_book"]["concession_policy"]["hard_max_percent"] == 12
