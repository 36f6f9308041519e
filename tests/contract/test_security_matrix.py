"""The security matrix: every catalog route × two tenants × {no auth, read key, write key, admin key, user JWT}.

Each route's expected outcome comes from its declared policy (`functions.route_policies.policy_of`); a route with
no policy fails here with the reason. Path parameters are filled with tenant A's real objects (a workflow, an
API key, a DNC entry; ids that do not exist where A has none), then:

- as tenant A, a credential the policy admits is never refused (no 401/403, no 5xx); one it does not admit is
  401 (none) or 403 (`INSUFFICIENT_SCOPE`, or `USER_REQUIRED` for an API key on a users-only route);
- as tenant B, the same requests never reach A's objects: admitted credentials get 404 on A's ids, and B's
  lists do not contain them.

Bodies are `{}`: an admitted caller learns the body is invalid (400), so no route changes anything by
accident, except the few without a body (pause, retire, release…), which act on A's objects as A — the
matrix does not depend on their state. POST /auth/logout is sent with a throwaway token as "user JWT" (it
revokes the token it is called with). 429s (the tenant's rate limit) are waited out.

CSRF: every state-changing protected route, called with tenant A's session cookie alone, is 403 CSRF_REJECTED
from a foreign origin (or none), without the session's `X-CSRF-Token`, or with another session's; from our own
origin with the token it is admitted like the JWT; and a bearer beside the cookie is never subject to it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
import requests

from functions.catalog import FUNCTIONS
from functions.route_policies import policy_of
from shared.auth.policies import RoutePolicy
from shared.auth.principal import Scope
from tests.contract.helpers import Account, mint_key, new_session, sign_up_and_log_in

CREDENTIALS = ("none", "read", "write", "admin", "jwt")
PROMPT = "Win back customers whose gym membership lapsed in the last 90 days. Call 10am-7pm IST, be friendly."
DNC_NUMBERS = {"A": "+14155550142", "B": "+14155550143"}  # distinct: B must not own A's entry
MISSING_ID = "missing0000000000000000"
MAX_RATE_LIMIT_RETRIES = 6
#: Routes whose scope departs from "GET read, POST/PUT write, destructive admin", with the reason.
SCOPE_EXCEPTIONS: dict[str, tuple[Scope, str]] = {
    "DELETE /dnc/{phone_e164}": (Scope.WRITE, "the reference marks it JWT · write: un-listing is not destructive"),
    "POST /numbers/search": (Scope.READ, "a search of the carrier's inventory that changes nothing"),
    "GET /integrations/slack/oauth/callback": (Scope.WRITE, "Slack's redirect back (a GET) connects the workspace: "
                                                            "the same write as the install it completes"),
    "DELETE /callbacks/{id}": (Scope.WRITE, "INTERFACES_13: cancelling a scheduled callback deletes nothing (the row "
                                            "stays, cancelled), like un-listing a DNC number"),
}
#: Routes that revoke the token they are called with.
CREDENTIAL_CONSUMING = {"POST /auth/logout"}
#: Routes that refuse API keys: account self-management and what needs a human in the audit trail.
USERS_ONLY = {"GET /api-keys", "POST /api-keys", "POST /api-keys/{id}/revoke", "DELETE /api-keys/{id}",
              "PUT /workflows/{id}/compliance",
              # "Add to Slack": the OAuth state is bound to the user, and the installing user is recorded.
              "POST /integrations/slack/install", "GET /integrations/slack/oauth/callback"}
DESTRUCTIVE = re.compile(r"^DELETE |/(retire|release|erase)$")
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
FOREIGN_ORIGIN = "https://evil.example"


@dataclass
class Tenant:
    account: Account
    keys: dict[str, str]  # scope label → secret
    workflow_id: str
    api_key_id: str  # a key that is never used as a credential (revoking it breaks nothing)
    webhook_id: str  # an endpoint at the sandbox receiver, with one delivery (its test event)
    delivery_id: str

    def headers(self, credential: str) -> dict[str, str]:
        if credential == "none":
            return {}
        secret = self.account.token if credential == "jwt" else self.keys[credential]
        return {"Authorization": f"Bearer {secret}"}


def catalog_routes() -> list[tuple[str, str]]:
    return [(function.name, f"{route.method} {route.path}") for function in FUNCTIONS for route in function.routes]


def cookie_authenticated_writes() -> list[tuple[str, str]]:
    """Every state-changing route that takes credentials (so, the session cookie), from the routes' own policies."""
    return [(function_name, route_key) for function_name, route_key in catalog_routes()
            if route_key.split(" ", 1)[0] in STATE_CHANGING
            and policy_of(function_name, *route_key.split(" ", 1)).needs_credentials]


def expected_scope(route_key: str) -> Scope:
    if route_key in SCOPE_EXCEPTIONS:
        return SCOPE_EXCEPTIONS[route_key][0]
    if route_key.startswith("GET "):
        return Scope.READ
    return Scope.ADMIN if DESTRUCTIVE.search(route_key) else Scope.WRITE


@pytest.fixture(scope="module")
def tenants(base_url: str) -> dict[str, Tenant]:
    made = {}
    with new_session() as http:
        for name in ("A", "B"):
            account = sign_up_and_log_in(http, base_url)
            keys = {scope: mint_key(http, base_url, account, scope=scope, name=f"matrix {scope}")["secret"]
                    for scope in ("read", "write", "admin")}
            target_key = mint_key(http, base_url, account, scope="read", name="matrix target")["id"]
            workflow = _send(http, "POST", f"{base_url}/workflows", account.auth, {"nl_prompt": PROMPT})
            assert workflow.status_code == 201, workflow.text
            added = _send(http, "POST", f"{base_url}/dnc/add", account.auth, {"phone_e164": DNC_NUMBERS[name]})
            assert added.status_code == 200, added.text
            webhook = _send(http, "POST", f"{base_url}/webhooks", account.auth, {
                "url": f"{base_url}/_sandbox/webhook-receiver/matrix-{name}", "events": ["webhook.test"]})
            assert webhook.status_code == 201, webhook.text
            tested = _send(http, "POST", f"{base_url}/webhooks/{webhook.json()['id']}/test", account.auth, None)
            assert tested.status_code == 202, tested.text
            made[name] = Tenant(account, keys, workflow.json()["id"], target_key, webhook.json()["id"],
                                tested.json()["delivery"]["id"])
    return made


@pytest.mark.parametrize(("function_name", "route_key"), catalog_routes(), ids=[key for _, key in catalog_routes()])
def test_every_route_admits_exactly_the_credentials_its_policy_names(function_name, route_key, tenants, base_url):
    policy = policy_of(function_name, *route_key.split(" ", 1))  # raises UnclassifiedRoute for a route without one
    owner, other = tenants["A"], tenants["B"]
    method, path = route_key.split(" ", 1)
    url = base_url + _fill(path, owner)
    with new_session() as http:
        for credential in CREDENTIALS:
            response = _send(http, method, url, _headers(owner, credential, route_key, base_url), _body(method))
            _assert_outcome(route_key, policy, credential, response, as_owner=True)
            response = _send(http, method, url, _headers(other, credential, route_key, base_url), _body(method))
            _assert_outcome(route_key, policy, credential, response, as_owner=False)
            if policy.needs_credentials and _admits(policy, credential):
                _assert_never_leaks(route_key, path, response, owner)


@pytest.mark.parametrize(("function_name", "route_key"), catalog_routes(), ids=[key for _, key in catalog_routes()])
def test_every_protected_route_declares_the_scope_its_method_implies(function_name, route_key):
    policy = policy_of(function_name, *route_key.split(" ", 1))
    if policy.needs_credentials:
        assert policy.scope == expected_scope(route_key), (
            f"{route_key} requires '{policy.scope.label}', the rule says '{expected_scope(route_key).label}' "
            "(GET read, POST/PUT write, DELETE/retire/release/erase admin): fix the route or add an exception")
        assert policy.users_only == (route_key in USERS_ONLY), f"{route_key}: users_only={policy.users_only}"


@pytest.mark.parametrize(("function_name", "route_key"), cookie_authenticated_writes(),
                         ids=[key for _, key in cookie_authenticated_writes()])
def test_every_cookie_authenticated_write_needs_our_origin_and_the_sessions_token(function_name, route_key, tenants,
                                                                                   base_url):
    policy = policy_of(function_name, *route_key.split(" ", 1))
    owner, other = tenants["A"], tenants["B"]
    method, path = route_key.split(" ", 1)
    url = base_url + _fill(path, owner)
    own_page = owner.account.browser(base_url)
    forged = {
        "a foreign Origin": {**own_page, "Origin": FOREIGN_ORIGIN},
        "a foreign Origin claiming Sec-Fetch-Site: same-origin": {**own_page, "Origin": FOREIGN_ORIGIN,
                                                                  "Sec-Fetch-Site": "same-origin"},
        "no Origin, Sec-Fetch-Site: cross-site": {**_without(own_page, "Origin"), "Sec-Fetch-Site": "cross-site"},
        "no Origin and no Sec-Fetch-Site": _without(own_page, "Origin"),
        "no X-CSRF-Token": _without(own_page, "X-CSRF-Token"),
        "another session's token": {**own_page, "X-CSRF-Token": other.account.csrf_token},
    }
    with new_session() as http:
        for case, headers in forged.items():
            response = _send(http, method, url, headers, _body(method))
            assert (response.status_code, _code(response)) == (403, "CSRF_REJECTED"), (
                f"{route_key} with the cookie and {case}: {response.status_code} {response.text[:300]}")
        for case, headers in {"our Origin and the token": own_page,
                              "Sec-Fetch-Site: same-origin and the token": {**_without(own_page, "Origin"),
                                                                            "Sec-Fetch-Site": "same-origin"}}.items():
            response = _send(http, method, url, headers, _body(method))
            assert _code(response) != "CSRF_REJECTED", f"{route_key} with {case}: {response.text[:300]}"
            _assert_outcome(route_key, policy, "jwt", response, as_owner=True)
        beside_cookie = {**owner.headers("admin"), **own_page, "Origin": FOREIGN_ORIGIN}
        response = _send(http, method, url, _without(beside_cookie, "X-CSRF-Token"), _body(method))
        assert _code(response) != "CSRF_REJECTED", f"{route_key}: a bearer was held to CSRF: {response.text[:300]}"
        _assert_outcome(route_key, policy, "admin", response, as_owner=True)


def _without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key != name}


def _code(response: requests.Response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None


def _admits(policy: RoutePolicy, credential: str) -> bool:
    if not policy.needs_credentials:
        return True
    if credential == "none":
        return False
    if credential == "jwt":
        return True  # the account's owner: admin
    return not policy.users_only and Scope.from_label(credential) >= policy.scope


def _assert_outcome(route_key: str, policy: RoutePolicy, credential: str, response: requests.Response, *,
                    as_owner: bool) -> None:
    who = f"{route_key} as tenant {'A' if as_owner else 'B'} with {credential}"
    status = response.status_code
    assert status < 500, f"{who}: {status} {response.text[:300]}"
    if policy.access == "signed":
        assert status in (400, 401, 403, 404), f"{who}: an unsigned request answered {status} {response.text[:300]}"
        return
    if _admits(policy, credential):
        assert status not in (401, 403), f"{who}: refused with {status} {response.text[:300]}"
        if policy.needs_credentials and not as_owner and _names_owner_object(route_key):
            # A body is validated before the object is looked up: `{}` may be 400, but never reaches A's object.
            allowed = (404,) if route_key.split(" ")[0] in ("GET", "DELETE") else (400, 404)
            assert status in allowed, f"{who}: tenant A's object answered {status} {response.text[:300]}"
    elif credential == "none":
        assert status == 401, f"{who}: {status} {response.text[:300]}"
    else:
        code = "USER_REQUIRED" if policy.users_only and credential != "jwt" else "INSUFFICIENT_SCOPE"
        assert (status, response.json().get("code")) == (403, code), f"{who}: {status} {response.text[:300]}"


def _assert_never_leaks(route_key: str, path: str, response: requests.Response, owner: Tenant) -> None:
    """Tenant B's answers never carry tenant A's ids."""
    for secret_id in (owner.workflow_id, owner.api_key_id, owner.webhook_id, owner.delivery_id):
        assert secret_id not in response.text, f"{route_key}: tenant B saw tenant A's {secret_id}"


def _names_owner_object(route_key: str) -> bool:
    return any(param in route_key for param in ("{id}", "{phone_e164}"))


def _fill(path: str, owner: Tenant) -> str:
    if path.startswith("/workflows/{id}"):
        path = path.replace("{id}", owner.workflow_id)
    elif path.startswith("/api-keys/{id}"):
        path = path.replace("{id}", owner.api_key_id)
    elif path.startswith("/webhooks/{id}"):
        path = path.replace("{id}", owner.webhook_id)
    values = {"id": MISSING_ID, "phone_e164": requests.utils.quote(DNC_NUMBERS["A"], safe=""), "provider": "sandbox",
              "tenant_id": str(owner.account.tenant_id), "call_id": "call_0123abcd", "delivery_id": owner.delivery_id}
    if path.startswith("/onboarding/credentials/"):
        values["provider"] = "twilio"
    return re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], path)


def _body(method: str) -> dict | None:
    return {} if method in ("POST", "PUT") else None


def _headers(tenant: Tenant, credential: str, route_key: str, base_url: str) -> dict[str, str]:
    if credential == "jwt" and route_key in CREDENTIAL_CONSUMING:
        with new_session() as http:
            return sign_up_and_log_in(http, base_url).auth  # a throwaway session: this call revokes it
    return tenant.headers(credential)


def _send(http: requests.Session, method: str, url: str, headers: dict[str, str], body: dict | None):
    for _ in range(MAX_RATE_LIMIT_RETRIES):
        http.cookies.clear()  # only the credential under test may authenticate the request
        response = http.request(method, url, headers=headers, json=body)
        if response.status_code != 429:
            return response
        time.sleep(min(float(response.headers.get("Retry-After") or 1), 5.0))
    return response
