import pytest

from shared.platform.settings import reset_settings
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration

REFERENCE_FIELDS = {"tenant_id", "currency", "balance_minor", "plan_tier", "trial_expires_at",
                    "minutes_remaining_at_bundled_rate", "rate_per_minute_minor", "autocharge", "topup_presets_minor"}


def test_the_balance_has_every_field_of_the_reference_example(api):
    owner = sign_up_and_log_in(api, country="US")
    key = mint_key(api, owner)

    balance = api.get("/api/billing/balance", token=key["secret"]).body

    assert set(balance) == REFERENCE_FIELDS
    assert balance["tenant_id"] == owner.tenant_id and balance["currency"] == "USD"
    assert balance["balance_minor"] == 500 and balance["rate_per_minute_minor"] == 12
    assert balance["minutes_remaining_at_bundled_rate"] == 41
    assert balance["autocharge"] == {"enabled": False, "threshold_minor": None, "amount_minor": None}
    assert balance["topup_presets_minor"] == [1000, 2500, 5000, 10000, 25000]
    assert balance["trial_expires_at"].endswith("Z")


def test_two_tenants_never_see_each_other(api):
    alice, bob = sign_up_and_log_in(api), sign_up_and_log_in(api, country="IN")
    alice_key = mint_key(api, alice)

    assert api.get("/billing/balance", token=alice_key["secret"]).body["tenant_id"] == alice.tenant_id
    assert api.get("/billing/balance", token=bob.token).body["tenant_id"] == bob.tenant_id
    assert api.get("/api-keys", token=bob.token).body["keys"] == []
    assert api.post(f"/api-keys/{alice_key['id']}/revoke", token=bob.token).status == 404
    assert api.delete(f"/api-keys/{alice_key['id']}", token=bob.token).status == 404
    assert api.get("/billing/balance", token=alice_key["secret"]).status == 200


@pytest.fixture
def aws_calls(monkeypatch):
    """Counts every AWS API call made by botocore clients (boto3's and pynamodb's alike)."""
    import botocore.client

    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_warm_balance_read_is_one_aws_call_credential_and_wallet_together(api, aws_calls, credential, monkeypatch):
    # The rate limit's token comes from the container's lease (one conditional write per RATE_LIMIT_LEASE_SIZE
    # requests); the lease is held long enough here that a slow machine cannot let it lapse between the reads.
    monkeypatch.setenv("RATE_LIMIT_LEASE_SECONDS", "30")
    reset_settings()
    owner = sign_up_and_log_in(api)
    token = mint_key(api, owner)["secret"] if credential == "api_key" else owner.token
    api.get("/billing/balance", token=token)  # warm: the container has met this key and holds a lease
    aws_calls.clear()

    api.get("/billing/balance", token=token)

    assert aws_calls == ["BatchGetItem"]


def test_a_key_is_rechecked_on_every_request_even_once_its_tenant_is_known(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner)
    assert api.get("/billing/balance", token=key["secret"]).status == 200
    api.post(f"/api-keys/{key['id']}/revoke", token=owner.token)
    api.delete(f"/api-keys/{key['id']}", token=owner.token)

    refused = api.get("/billing/balance", token=key["secret"])

    assert refused.status == 401 and refused.body["code"] == "INVALID_API_KEY"


def test_a_warm_who_am_i_reads_the_credential_and_the_workspace_nothing_twice(api, aws_calls, monkeypatch):
    # The user comes with the session's own (strongly consistent) read; only the workspace is read besides.
    monkeypatch.setenv("RATE_LIMIT_LEASE_SECONDS", "30")
    reset_settings()
    owner = sign_up_and_log_in(api)
    api.get("/auth/me", token=owner.token)
    aws_calls.clear()

    me = api.get("/auth/me", token=owner.token)

    assert me.status == 200 and me.body["user"]["id"] == owner.user_id and me.body["auth"] == "user"
    assert sorted(aws_calls) == ["BatchGetItem", "GetItem"]
