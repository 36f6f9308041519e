"""`analysis_fields` of the rule book over the workflows API (issue 13 §2): generated rule books carry the defaults,
a GET's fields can be PUT back changed, bad ones are the contract's 422 naming the field, and a workflow stored
before the fields existed reads as the defaults."""

import json

import pytest

from shared.platform.aws import client
from shared.platform.settings import get_settings
from shared.platform.storage import keys
from tests.integration.conftest import sign_up_and_log_in
from tests.unit.test_analysis_fields import DEFAULT_NAMES

pytestmark = pytest.mark.integration

PROMPT = "Renewal recovery for our SaaS customers, IST 10am-7pm, offer up to 15% off, auto-approve 10%"
BUDGET = {"name": "budget", "type": "number", "description": "The monthly budget they named, in dollars",
          "choices": None}


def _workflow(api, owner) -> dict:
    created = api.post("/api/workflows", {"nl_prompt": PROMPT}, token=owner.token)
    assert created.status == 201, created.body
    return created.body


def _put_fields(api, owner, workflow_id: str, fields: list[dict]):
    return api.request("PUT", f"/api/workflows/{workflow_id}", token=owner.token,
                       json_body={"rule_book": {"analysis_fields": fields}})


def test_a_generated_rule_book_carries_the_default_analysis_fields(api):
    owner = sign_up_and_log_in(api, country="IN")

    rule_book = _workflow(api, owner)["rule_book"]

    assert [field["name"] for field in rule_book["analysis_fields"]] == DEFAULT_NAMES


def test_the_fields_a_get_returned_can_be_put_back_with_one_more(api):
    owner = sign_up_and_log_in(api, country="IN")
    workflow = _workflow(api, owner)
    fields = api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body["rule_book"]["analysis_fields"]

    updated = _put_fields(api, owner, workflow["id"], [*fields, BUDGET])
    again = api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body["rule_book"]["analysis_fields"]

    assert updated.status == 200, updated.body
    assert again == [*fields, BUDGET] == updated.body["rule_book"]["analysis_fields"]


@pytest.mark.parametrize(("fields", "field"), [
    ([{**BUDGET, "type": "money"}], "rule_book.analysis_fields.0.type"),
    ([{**BUDGET, "name": "Monthly Budget"}], "rule_book.analysis_fields.0.name"),
    ([{"name": "budget", "type": "number"}], "rule_book.analysis_fields.0.description"),
    ("budget", "rule_book.analysis_fields"),
    ([BUDGET, {**BUDGET, "type": "string"}], "analysis_fields.1.name"),
    ([{**BUDGET, "choices": ["low", "high"]}], "analysis_fields.0.choices"),
])
def test_bad_fields_are_a_422_naming_the_field_and_change_nothing(api, fields, field):
    owner = sign_up_and_log_in(api, country="IN")
    workflow = _workflow(api, owner)

    refused = _put_fields(api, owner, workflow["id"], fields)

    assert (refused.status, refused.body["code"], refused.body["field"]) == (422, "RULE_BOOK_INVALID", field)
    assert set(refused.body) >= {"error", "code", "field"}
    after = api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body["rule_book"]["analysis_fields"]
    assert [entry["name"] for entry in after] == DEFAULT_NAMES


def test_a_workflow_stored_before_analysis_fields_existed_reads_as_the_defaults(api):
    owner = sign_up_and_log_in(api, country="IN")
    workflow = _workflow(api, owner)
    key = {"PK": {"S": keys.tenant_pk(owner.tenant_id)}, "SK": {"S": keys.workflow_sk(workflow["id"])}}
    table, dynamodb = get_settings().table_name, client("dynamodb")
    stored = json.loads(dynamodb.get_item(TableName=table, Key=key)["Item"]["rule_book"]["S"])
    del stored["analysis_fields"]
    dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET rule_book = :old",
                         ExpressionAttributeValues={":old": {"S": json.dumps(stored)}})

    rule_book = api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body["rule_book"]

    assert [field["name"] for field in rule_book["analysis_fields"]] == DEFAULT_NAMES
