"""Bad input gets the contract's error JSON with a 4xx — never a 500, never a half-written account."""

import pytest

from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("raw_body", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b"", b"null", b'"text"'])
@pytest.mark.parametrize("path", ["/auth/signup", "/auth/login"])
def test_malformed_bodies_get_a_400_error_body(api, path, raw_body):
    reply = api.request("POST", path, raw_body=raw_body)

    assert reply.status == 400, reply.body
    assert set(reply.body) >= {"error", "code"}


def test_an_unknown_route_gets_the_contract_404(api):
    for path in ("/nope", "/api/nope", "/v1/auth/nope"):
        reply = api.get(path)
        assert reply.status == 404 and reply.body["code"] == "NOT_FOUND"


def test_a_wrong_method_on_a_known_path_gets_the_contract_404(api):
    reply = api.request("DELETE", "/auth/login")

    assert reply.status == 404 and reply.body["code"] == "NOT_FOUND"


def test_a_non_json_content_type_is_refused_in_the_error_shape(api):
    reply = api.request("POST", "/auth/signup", raw_body=b"email=a", headers={"content-type": "text/plain"})

    assert 400 <= reply.status < 500 and "code" in reply.body


def test_wrongly_typed_fields_name_the_field(api):
    owner = sign_up_and_log_in(api)

    reply = api.post("/api-keys", {"name": ["not", "a", "string"]}, token=owner.token)

    assert reply.status == 400 and reply.body["field"] == "name"


def test_a_bearer_that_is_neither_key_nor_token_gets_401(api):
    for credential in ("garbage", "cf_live_", "a.b.c"):
        reply = api.get("/billing/balance", token=credential)
        assert reply.status == 401 and "code" in reply.body


@pytest.mark.parametrize("raw_body", [b"[" * 100_000 + b"]" * 100_000, b'{"email": ' + b"9" * 5000 + b"}"])
def test_hostile_json_is_malformed_json_not_a_crash(api, raw_body):
    reply = api.request("POST", "/auth/login", raw_body=raw_body)

    assert reply.status == 400 and reply.body["code"] == "MALFORMED_JSON"


def test_a_multipart_body_without_a_boundary_is_a_400_not_a_crash(api):
    owner = sign_up_and_log_in(api)

    reply = api.request("POST", "/dnc/import", raw_body=b"file=x", token=owner.token,
                        headers={"content-type": "multipart/form-data"})

    assert reply.status == 400 and reply.body["code"] == "MALFORMED_MULTIPART"


def test_a_caller_without_access_hears_401_or_403_before_any_body_error(api):
    owner = sign_up_and_log_in(api)
    read_key = mint_key(api, owner, scope="read")

    anonymous = api.post("/api-keys", {"scope": "not-a-scope"})
    api_key = api.post("/api-keys", {"scope": "not-a-scope"}, token=read_key["secret"])
    owner_reply = api.post("/api-keys", {"scope": "not-a-scope"}, token=owner.token)

    assert (anonymous.status, anonymous.body["code"]) == (401, "AUTH_REQUIRED")
    assert (api_key.status, api_key.body["code"]) == (403, "USER_REQUIRED")
    assert owner_reply.status == 400 and owner_reply.body["field"] in ("name", "scope")
