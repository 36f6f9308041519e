import pytest

from shared.workflows import repository
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration

PROMPT = "Renewal recovery for our SaaS customers, IST 10am-7pm, offer up to 15% off, auto-approve 10%"


def create(api, account, **fields):
    created = api.post("/api/workflows", {"nl_prompt": PROMPT, **fields}, token=account.token)
    assert created.status == 201, created.body
    return created.body


def test_a_prompt_becomes_a_draft_with_a_valid_rule_book(api):
    owner = sign_up_and_log_in(api, country="IN")

    workflow = create(api, owner)

    assert workflow["status"] == "draft" and workflow["rule_book_id"]
    rule_book = workflow["rule_book"]
    assert rule_book["calling_window"]["start"] >= "09:00" and rule_book["calling_window"]["end"] <= "21:00"
    assert rule_book["metadata"]["generator"] == "offline-composer"
    assert workflow["audience_count"] == 0 and workflow["runs_count"] == 0


def test_server_owned_fields_in_a_create_are_ignored(api):
    owner = sign_up_and_log_in(api)

    workflow = create(api, owner, status="live", tenant_id=999, id="wf_mine", rule_book_id="rb_x")

    assert workflow["status"] == "draft" and workflow["id"] != "wf_mine" and workflow["rule_book_id"] != "rb_x"
    assert api.get("/api/workflows", token=owner.token).body["tenant_id"] == owner.tenant_id


def test_server_owned_fields_in_an_update_are_never_applied(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)

    updated = api.request("PUT", f"/api/workflows/{workflow['id']}", token=owner.token,
                          json_body={"name": "Renewals Q4", "status": "live", "tenant_id": 7, "runs_count": 9})

    assert updated.status == 200 and updated.body["name"] == "Renewals Q4"
    assert updated.body["status"] == "draft" and updated.body["runs_count"] == 0


def test_the_rule_book_a_get_returned_can_be_put_back_edited_its_metadata_staying_the_servers(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)
    rule_book = api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body["rule_book"]
    edited = {**rule_book, "opener": rule_book["opener"] + " Is now a good time?",
              "metadata": {**rule_book["metadata"], "generator": "me"}}

    updated = api.request("PUT", f"/api/workflows/{workflow['id']}", token=owner.token,
                          json_body={"rule_book": edited})

    assert updated.status == 200, updated.body
    assert updated.body["rule_book"]["opener"].endswith("Is now a good time?")
    assert updated.body["rule_book"]["metadata"]["generator"] == "offline-composer"


def test_a_rule_book_edit_that_breaks_the_rules_is_a_422_field_by_field_and_changes_nothing(api):
    owner = sign_up_and_log_in(api, country="IN")
    workflow = create(api, owner)
    window = {"start": "07:00", "end": "22:00", "timezone": "Asia/Kolkata", "days": ["mon", "tue"]}

    refused = api.request("PUT", f"/api/workflows/{workflow['id']}", token=owner.token,
                          json_body={"rule_book": {"calling_window": window}})

    assert refused.status == 422 and refused.body["code"] == "RULE_BOOK_INVALID"
    assert {problem["field"] for problem in refused.body["errors"]} >= {"calling_window.start", "calling_window.end"}
    after = api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body
    assert after["rule_book"]["calling_window"] == workflow["rule_book"]["calling_window"]


def test_a_live_workflow_cannot_be_edited_or_regenerated(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)
    stored = repository.get(owner.tenant_id, workflow["id"])
    repository.save(stored.model_copy(update={"status": "live"}))

    edit = api.request("PUT", f"/api/workflows/{workflow['id']}", json_body={"name": "x"}, token=owner.token)
    regenerate = api.post(f"/api/workflows/{workflow['id']}/regenerate-rule-book", token=owner.token)

    assert (edit.status, edit.body["code"]) == (409, "WORKFLOW_LIVE")
    assert regenerate.status == 409


def test_retire_and_delete_refuse_while_a_run_is_running(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)
    stored = repository.get(owner.tenant_id, workflow["id"])
    repository.save(stored.model_copy(update={"active_run_id": "run_1"}))

    assert api.post(f"/api/workflows/{workflow['id']}/retire", token=owner.token).status == 409
    assert api.delete(f"/api/workflows/{workflow['id']}", token=owner.token).body["code"] == "RUN_IN_PROGRESS"


def test_delete_is_soft_and_retire_is_terminal(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)

    deleted = api.delete(f"/api/workflows/{workflow['id']}", token=owner.token)
    edit = api.request("PUT", f"/api/workflows/{workflow['id']}", json_body={"name": "again"}, token=owner.token)

    assert deleted.body["status"] == "retired" and deleted.body["archived_at"]
    assert api.get(f"/api/workflows/{workflow['id']}", token=owner.token).status == 200
    assert (edit.status, edit.body["code"]) == (409, "WORKFLOW_RETIRED")
    assert api.get("/api/workflows", token=owner.token, query="status=retired").body["workflows"][0]["id"] == \
        workflow["id"]


def test_retire_and_delete_need_the_admin_scope(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)
    write_key = mint_key(api, owner, scope="write")

    assert api.post(f"/api/workflows/{workflow['id']}/retire", token=write_key["secret"]).status == 403
    assert api.delete(f"/api/workflows/{workflow['id']}", token=write_key["secret"]).status == 403
    assert api.get(f"/api/workflows/{workflow['id']}", token=write_key["secret"]).status == 200


def test_consent_is_attested_by_a_user_and_an_api_key_is_refused(api):
    owner = sign_up_and_log_in(api)
    workflow = create(api, owner)
    key = mint_key(api, owner)
    attestation = {"consent_attestation_text": "Every contact opted in on our web form", "tcpa_sender_id": "ACME"}

    by_key = api.request("PUT", f"/api/workflows/{workflow['id']}/compliance", json_body=attestation,
                         token=key["secret"])
    by_user = api.request("PUT", f"/api/workflows/{workflow['id']}/compliance", json_body=attestation,
                          token=owner.token)

    assert (by_key.status, by_key.body["code"]) == (403, "USER_REQUIRED")
    assert by_user.status == 200 and by_user.body["consent_attested_by_user_id"] == owner.user_id
    assert api.get(f"/api/workflows/{workflow['id']}", token=owner.token).body["compliance"]["tcpa_sender_id"] == "ACME"


def test_another_tenants_workflow_is_a_404_on_every_route(api):
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    path = f"/api/workflows/{create(api, owner)['id']}"

    replies = [
        api.get(path, token=stranger.token),
        api.request("PUT", path, json_body={"name": "mine"}, token=stranger.token),
        api.delete(path, token=stranger.token),
        api.post(f"{path}/retire", token=stranger.token),
        api.post(f"{path}/regenerate-rule-book", token=stranger.token),
        api.post(f"{path}/audience", {"rows": [{"phone": "+14155550123"}]}, token=stranger.token),
        api.request("PUT", f"{path}/compliance", json_body={"consent_attestation_text": "x"}, token=stranger.token),
    ]

    assert [reply.status for reply in replies] == [404] * len(replies)
    assert api.get(path, token=owner.token).body["status"] == "draft"


def test_an_audience_upload_as_json_rows_or_csv_counts_every_row(api):
    owner = sign_up_and_log_in(api, country="US")
    workflow_id = create(api, owner)["id"]
    api.post("/dnc/add", {"phone_e164": "+14155550100"}, token=owner.token)
    boundary = "form-boundary"
    csv = (b"Name,Phone Number\nAda,+1 415 555 0101\nBo,(415) 555-0102\nCy,not a phone\n"
           b"Ada again,+14155550101\nDee,+14155550100\n")
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
                 f"Content-Type: text/csv\r\n\r\n").encode() + csv + f"\r\n--{boundary}--\r\n".encode()

    uploaded = api.request("POST", f"/api/workflows/{workflow_id}/audience", raw_body=multipart, token=owner.token,
                           headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    appended = api.post(f"/api/workflows/{workflow_id}/audience", {"rows": [{"phone": "+14155550103"}]},
                        token=owner.token, query="mode=append")

    assert uploaded.status == 200
    assert uploaded.body == {"accepted": 2, "rejected_dnc": 1, "rejected_ncpr": 0, "rejected_cooldown": 0,
                             "rejected_invalid": 1, "duplicates": 1, "total_targets": 2}
    assert appended.body["total_targets"] == 3
    assert api.get(f"/api/workflows/{workflow_id}", token=owner.token).body["audience_count"] == 3


def test_an_audience_needs_a_file_or_rows(api):
    owner = sign_up_and_log_in(api)
    workflow_id = create(api, owner)["id"]

    refused = api.post(f"/api/workflows/{workflow_id}/audience", {}, token=owner.token)

    assert refused.status == 400 and refused.body["field"] == "file"


@pytest.mark.parametrize(("body", "field"), [
    ({"nl_prompt": ""}, "nl_prompt"),
    ({"nl_prompt": "x" * 4001}, "nl_prompt"),
    ({"nl_prompt": "Call them", "persona_override": "bob"}, "persona_override"),
    ({"nl_prompt": "Call them", "is_test": "yes"}, "is_test"),
    ({}, "nl_prompt"),
])
def test_bad_create_requests_name_the_field(api, body, field):
    owner = sign_up_and_log_in(api)

    refused = api.post("/api/workflows", body, token=owner.token)

    assert refused.status == 400 and refused.body["field"] == field
