"""The reads authentication makes: the credential's item and the tenant's wallet in ONE round trip.

A strongly consistent BatchGetItem returns the API key (or the user behind a JWT) together with the
tenant's wallet — the account state every request may need (balance, plan, trial expiry) — so a
request like `GET /billing/balance` costs a single DynamoDB call and a revocation is still seen at
once. Each domain's repository reads its own raw items.
"""

from __future__ import annotations

from shared.accounts import repository as accounts
from shared.accounts.models import UserCredentials
from shared.api_keys import repository as api_keys
from shared.api_keys.models import ApiKey
from shared.billing import repository as wallets
from shared.billing.models import Wallet
from shared.platform.storage import keys
from shared.platform.storage.table import batch_get, item_type


def _read(*item_keys: tuple[str, str]) -> dict[str, dict]:
    items = batch_get(api_keys.connection_model(), item_keys, consistent=True)
    return {item_type(raw): raw for raw in items}


def api_key_with_wallet(secret_hash: str, tenant_id: int) -> tuple[ApiKey | None, Wallet | None]:
    found = _read((keys.api_key_pk(secret_hash), keys.APIKEY), (keys.tenant_pk(tenant_id), keys.WALLET))
    key = api_keys.key_from_raw(found["ApiKey"]) if "ApiKey" in found else None
    wallet = wallets.wallet_from_raw(found["Wallet"]) if "Wallet" in found else None
    return key, wallet


def user_with_wallet(tenant_id: int, user_id: str) -> tuple[UserCredentials | None, Wallet | None]:
    found = _read((keys.tenant_pk(tenant_id), keys.user_sk(user_id)), (keys.tenant_pk(tenant_id), keys.WALLET))
    credentials = accounts.credentials_from_raw(found["User"]) if "User" in found else None
    wallet = wallets.wallet_from_raw(found["Wallet"]) if "Wallet" in found else None
    return credentials, wallet
