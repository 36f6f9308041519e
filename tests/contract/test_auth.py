"""Auth: signup, email verification, login, /auth/me and logout — as a client written against the reference."""

from __future__ import annotations

import re
import time

import jwt
import pytest
import requests

from shared.platform.settings import Settings
from tests.contract.helpers import (
    JSON_CONTENT,
    MALFORMED_BODIES,
    PASSWORD,
    assert_client_error,
    assert_error,
    bearer,
    log_in,
    mint_key,
    new_session,
    sign_up,
    sign_up_and_log_in,
    token_of,
    unique_email,
    verification_link,
)

SEVEN_DAYS_SECONDS = 7 * 24 * 3600
LOGIN_FAILURES_ALLOWED = Settings.model_fields["login_failures_allowed"].default  # the local stack keeps it
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _set_cookie_attributes(response: requests.Response, name: str = "cf_session") -> tuple[str, set[str]]:
    """A Set-Cookie header (cf_session by default): its value and its attributes, lower-cased (e.g. 'max-age=0')."""
    headers = response.raw.headers.getlist("Set-Cookie")
    session = [header for header in headers if header.startswith(f"{name}=")]
    assert len(session) == 1, headers
    pair, *attributes = [part.strip() for part in session[0].split(";")]
    return pair.split("=", 1)[1], {attribute.lower() for attribute in attributes}


# --- POST /auth/signup ----------------------------------------------------------------------------------------


def test_signup_answers_201_with_the_tenant_and_its_owner(base_url: str, http: requests.Session) -> None:
    # Given a new email
    email = unique_email()

    # When it signs up
    response = sign_up(http, base_url, email=email, full_name="Ada Lovelace", country="GB")

    # Then the tenant and its owner come back, with the reference's fields
    assert response.status_code == 201
    body = response.json()
    tenant, user = body["tenant"], body["user"]
    assert {"id", "name", "status", "plan_tier", "created_at"} <= tenant.keys()
    assert isinstance(tenant["id"], int) and not isinstance(tenant["id"], bool)
    assert tenant["status"] == "active"
    assert {"id", "tenant_id", "email", "role", "email_verified"} <= user.keys()
    assert user["tenant_id"] == tenant["id"]
    assert user["email"] == email
    assert user["role"] == "owner"
    assert user["email_verified"] is False


def test_signup_says_the_verification_email_was_sent(base_url: str, http: requests.Session) -> None:
    # When a new email signs up
    response = sign_up(http, base_url)

    # Then the response says the verification email went out
    assert response.status_code == 201
    assert response.json()["verify_email_sent"] is True


def test_signup_stores_the_email_in_lower_case(base_url: str, http: requests.Session) -> None:
    # Given an email typed with capitals
    email = unique_email("Mixed.Case").replace("example.com", "Example.COM")

    # When it signs up
    response = sign_up(http, base_url, email=email)

    # Then the owner's email is the lower-case form
    assert response.status_code == 201
    assert response.json()["user"]["email"] == email.lower()


def test_signup_mails_a_verify_email_link_to_the_new_owner(base_url: str, http: requests.Session) -> None:
    # Given a new signup
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When the sandbox outbox is read
    link = verification_link(http, base_url, email)

    # Then it holds a link to the console's verify page (which confirms through the API), carrying a token
    assert link.startswith(f"{base_url}/#/verify-email?token=")
    assert token_of(link)


def test_signup_accepts_a_password_of_exactly_10_characters(base_url: str, http: requests.Session) -> None:
    # When someone signs up with a password at the minimum length
    response = http.post(f"{base_url}/auth/signup", json={"email": unique_email(), "password": "0123456789"})

    # Then the account is created
    assert response.status_code == 201


def test_signup_refuses_a_password_shorter_than_10_characters(base_url: str, http: requests.Session) -> None:
    # When someone signs up with a 9-character password
    response = http.post(f"{base_url}/auth/signup", json={"email": unique_email(), "password": "123456789"})

    # Then the password field is blamed
    assert_error(response, 400, field="password")


def test_signup_refuses_a_malformed_email(base_url: str, http: requests.Session) -> None:
    # When someone signs up with something that is not an email address
    response = http.post(f"{base_url}/auth/signup", json={"email": "not-an-email", "password": PASSWORD})

    # Then the email field is blamed
    assert_error(response, 400, field="email")


@pytest.mark.parametrize("country", ["FR", "in", "USA", ""])
def test_signup_refuses_a_country_outside_the_supported_list(base_url: str, http: requests.Session,
                                                             country: str) -> None:
    # When someone signs up from a country that is not IN|US|GB|AU|CA|SG|AE
    response = sign_up(http, base_url, country=country)

    # Then the country field is blamed
    assert_error(response, 400, field="country")


def test_signup_without_an_email_is_refused(base_url: str, http: requests.Session) -> None:
    # When the email is left out
    response = http.post(f"{base_url}/auth/signup", json={"password": PASSWORD})

    # Then the request is refused, blaming the email
    assert_error(response, 400, field="email")


def test_signup_with_a_taken_email_in_another_case_answers_409_email_taken(base_url: str,
                                                                           http: requests.Session) -> None:
    # Given an account for an email
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When the same address signs up again, in capitals
    response = sign_up(http, base_url, email=email.upper())

    # Then it conflicts with the existing account
    assert_error(response, 409, code="EMAIL_TAKEN")


def test_signup_with_malformed_json_answers_400_malformed_json(base_url: str, http: requests.Session) -> None:
    # When the body is not JSON
    response = http.post(f"{base_url}/auth/signup", data=b'{"email": "a@example.com",', headers=JSON_CONTENT)

    # Then the client is told its JSON is malformed
    assert_error(response, 400, code="MALFORMED_JSON")


# --- GET /auth/verify-email -----------------------------------------------------------------------------------


def _signed_up_verify_token(http: requests.Session, base_url: str) -> tuple[str, str]:
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201
    return email, token_of(verification_link(http, base_url, email))


def test_verify_email_confirms_the_address(base_url: str, http: requests.Session) -> None:
    # Given the token mailed at signup
    email, token = _signed_up_verify_token(http, base_url)

    # When the link is followed
    response = http.get(f"{base_url}/auth/verify-email", params={"token": token})

    # Then the address is confirmed
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["email"] == email
    assert RFC3339_UTC.match(body["verified_at"]), body


def test_verify_email_a_second_time_returns_the_first_verified_at(base_url: str, http: requests.Session) -> None:
    # Given an address verified once
    _, token = _signed_up_verify_token(http, base_url)
    first = http.get(f"{base_url}/auth/verify-email", params={"token": token}).json()
    time.sleep(1.1)  # timestamps have 1 s resolution: a re-stamp would now show

    # When the link is followed again
    again = http.get(f"{base_url}/auth/verify-email", params={"token": token})

    # Then nothing changes
    assert again.status_code == 200
    assert again.json()["verified_at"] == first["verified_at"]


def test_after_verification_me_shows_the_email_verified(base_url: str, http: requests.Session) -> None:
    # Given a verified address
    email, token = _signed_up_verify_token(http, base_url)
    assert http.get(f"{base_url}/auth/verify-email", params={"token": token}).status_code == 200

    # When its owner logs in and asks who they are
    login = log_in(base_url, email).json()
    me = http.get(f"{base_url}/auth/me", headers=bearer(login["token"]))

    # Then the user shows as verified
    assert me.status_code == 200
    assert me.json()["user"]["email_verified"] is True


def test_verify_email_with_an_unknown_token_answers_400_invalid_token(base_url: str, http: requests.Session) -> None:
    # When a made-up token is presented
    response = http.get(f"{base_url}/auth/verify-email", params={"token": "not-a-token-we-issued"})

    # Then it is refused, blaming the token
    assert_error(response, 400, code="INVALID_TOKEN", field="token")


def test_verify_email_without_a_token_answers_400(base_url: str, http: requests.Session) -> None:
    # When the token parameter is missing
    response = http.get(f"{base_url}/auth/verify-email")

    # Then the token field is blamed
    assert_error(response, 400, field="token")


# --- POST /auth/login -----------------------------------------------------------------------------------------


def test_login_returns_a_token_for_7_days_with_the_user_and_tenant(base_url: str, http: requests.Session) -> None:
    # Given an account
    email = unique_email()
    signup = sign_up(http, base_url, email=email).json()

    # When its owner logs in
    response = log_in(base_url, email)

    # Then a bearer token valid for 7 days comes back with the user and the tenant
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["token"], str) and body["token"]
    assert body["expires_in"] == SEVEN_DAYS_SECONDS
    assert body["user"]["id"] == signup["user"]["id"]
    assert body["tenant"]["id"] == signup["tenant"]["id"]


def test_login_accepts_the_email_in_another_case(base_url: str, http: requests.Session) -> None:
    # Given an account
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When its owner types the email in capitals
    response = log_in(base_url, email.upper())

    # Then the login succeeds
    assert response.status_code == 200


def test_login_sets_an_httponly_secure_lax_session_cookie_for_the_whole_site(base_url: str,
                                                                            http: requests.Session) -> None:
    # Given an account
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When its owner logs in
    response = log_in(base_url, email)

    # Then the cf_session cookie carries the token, out of reach of scripts and cross-site requests
    value, attributes = _set_cookie_attributes(response)
    assert value == response.json()["token"]
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= attributes


def test_login_sets_a_csrf_cookie_the_page_can_read(base_url: str, http: requests.Session) -> None:
    # Given an account
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When its owner logs in
    response = log_in(base_url, email)

    # Then beside the session cookie comes cf_csrf: readable by the page (not HttpOnly), to echo in X-CSRF-Token
    value, attributes = _set_cookie_attributes(response, "cf_csrf")
    assert len(value) >= 32 and value not in response.json()["token"]
    assert {"secure", "samesite=lax", "path=/"} <= attributes and "httponly" not in attributes


def test_login_token_is_an_hs256_jwt(base_url: str, http: requests.Session) -> None:
    # Given a logged-in user
    account = sign_up_and_log_in(http, base_url)

    # When the token's header is read
    header = jwt.get_unverified_header(account.token)

    # Then it is signed with HS256
    assert header["alg"] == "HS256"


def test_login_token_carries_the_contract_claims_for_7_days(base_url: str, http: requests.Session) -> None:
    # Given a logged-in user
    account = sign_up_and_log_in(http, base_url)

    # When the token's claims are read (without verifying: the client does not hold the key)
    claims = jwt.decode(account.token, options={"verify_signature": False})

    # Then they name the user, the tenant, the role and the email, and expire 7 days after issue
    assert {"sub", "tid", "role", "email", "iat", "exp"} <= claims.keys()
    assert claims["sub"] == account.user_id
    assert claims["tid"] == account.tenant_id
    assert claims["role"] == "owner"
    assert claims["email"] == account.email
    assert claims["exp"] - claims["iat"] == SEVEN_DAYS_SECONDS


def test_login_with_a_wrong_password_answers_401_invalid_credentials(base_url: str, http: requests.Session) -> None:
    # Given an account
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When someone logs in with the wrong password
    response = log_in(base_url, email, password="not the right password")

    # Then the credentials are refused
    assert_error(response, 401, code="INVALID_CREDENTIALS")


def test_login_with_an_unknown_email_answers_401_invalid_credentials(base_url: str, http: requests.Session) -> None:
    # When someone logs in with an email nobody signed up with
    response = log_in(base_url, unique_email("nobody"))

    # Then the answer is the same as for a wrong password (no account enumeration)
    assert_error(response, 401, code="INVALID_CREDENTIALS")


def test_login_is_refused_with_429_after_the_allowed_failures_even_with_the_right_password(
        base_url: str, http: requests.Session) -> None:
    # Given an account whose password was guessed wrong as often as allowed (RULES: login failures are limited)
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201
    for _ in range(LOGIN_FAILURES_ALLOWED):
        assert log_in(base_url, email, password="a wrong guess").status_code == 401

    # When the right password is tried next
    response = log_in(base_url, email)

    # Then the login is refused and the client is told when to retry
    assert_error(response, 429, "TOO_MANY_LOGIN_ATTEMPTS")
    assert int(response.headers["Retry-After"]) > 0


def test_logins_that_succeed_are_never_limited(base_url: str, http: requests.Session) -> None:
    # Given one account (and one address: every client of the laptop stack is 127.0.0.1)
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201

    # When it logs in again and again (the old per-IP limiter refused the 13th within three minutes)
    statuses = [log_in(base_url, email).status_code for _ in range(30)]

    # Then every login succeeds
    assert statuses == [200] * 30


# --- GET /auth/me ---------------------------------------------------------------------------------------------


def test_me_with_the_bearer_jwt_returns_the_user_and_the_tenant(base_url: str, http: requests.Session) -> None:
    # Given a logged-in user
    account = sign_up_and_log_in(http, base_url)

    # When they ask who they are with the bearer token
    response = http.get(f"{base_url}/auth/me", headers=account.auth)

    # Then their user, tenant and the session's expiry come back
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == account.user_id
    assert body["user"]["email"] == account.email
    assert body["tenant"]["id"] == account.tenant_id
    assert RFC3339_UTC.match(body["expires_at"]), body


def test_me_with_only_the_session_cookie_returns_the_user(base_url: str, http: requests.Session) -> None:
    # Given a browser-like session that logged in
    email = unique_email()
    assert sign_up(http, base_url, email=email).status_code == 201
    with new_session() as browser:
        assert browser.post(f"{base_url}/auth/login", json={"email": email, "password": PASSWORD}).ok
        # The stack is plain HTTP, so requests withholds the Secure cookie; send it as a browser would over HTTPS.
        cookie = {"cf_session": browser.cookies["cf_session"]}

        # When it asks who it is with the cookie alone
        response = browser.get(f"{base_url}/auth/me", cookies=cookie)

    # Then the cookie identifies the user
    assert response.status_code == 200
    assert response.json()["user"]["email"] == email


def test_me_with_an_api_key_returns_the_tenant_and_no_user(base_url: str, http: requests.Session) -> None:
    # Given a workspace API key
    account = sign_up_and_log_in(http, base_url)
    key = mint_key(http, base_url, account)

    # When the key asks who it is
    response = http.get(f"{base_url}/auth/me", headers=bearer(key["secret"]))

    # Then it identifies the workspace, not a person
    assert response.status_code == 200
    body = response.json()
    assert body["user"] is None
    assert body["tenant"]["id"] == account.tenant_id


def test_me_without_credentials_answers_401_auth_required(base_url: str) -> None:
    # Given a client with no cookie and no Authorization header
    with new_session() as anonymous:
        # When it asks who it is
        response = anonymous.get(f"{base_url}/auth/me")

    # Then authentication is required
    assert_error(response, 401, code="AUTH_REQUIRED")


@pytest.mark.parametrize("credential", ["garbage", "a.b.c", "cf_live_garbage"])
def test_me_with_a_garbage_bearer_answers_401(base_url: str, http: requests.Session, credential: str) -> None:
    # When a made-up bearer credential is sent
    response = http.get(f"{base_url}/auth/me", headers=bearer(credential))

    # Then it is refused
    assert_error(response, 401)


def test_me_with_a_token_signed_by_another_key_answers_401(base_url: str, http: requests.Session) -> None:
    # Given a real token's claims re-signed with a key that is not the server's
    account = sign_up_and_log_in(http, base_url)
    claims = jwt.decode(account.token, options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-server-signing-key-not-the-server-signing-key", algorithm="HS256")

    # When the forged token is presented
    response = http.get(f"{base_url}/auth/me", headers=bearer(forged))

    # Then it is refused
    assert_error(response, 401)


def test_me_with_an_unsigned_alg_none_token_answers_401(base_url: str, http: requests.Session) -> None:
    # Given a real token's claims with the signature stripped (alg "none")
    account = sign_up_and_log_in(http, base_url)
    claims = jwt.decode(account.token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")

    # When the unsigned token is presented
    response = http.get(f"{base_url}/auth/me", headers=bearer(unsigned))

    # Then it is refused
    assert_error(response, 401)


# --- POST /auth/logout ----------------------------------------------------------------------------------------


def test_logout_clears_the_session_cookie(base_url: str, http: requests.Session) -> None:
    # Given a logged-in user
    account = sign_up_and_log_in(http, base_url)

    # When they log out
    response = http.post(f"{base_url}/auth/logout", headers=account.auth)

    # Then the cookies are overwritten with an empty value that expires at once
    assert response.status_code == 200
    for name in ("cf_session", "cf_csrf"):
        value, attributes = _set_cookie_attributes(response, name)
        assert value == ""
        assert "max-age=0" in attributes
        assert "path=/" in attributes


def test_a_token_is_refused_after_logout(base_url: str, http: requests.Session) -> None:
    # Given a user who logged out with their token
    account = sign_up_and_log_in(http, base_url)
    assert http.post(f"{base_url}/auth/logout", headers=account.auth).status_code == 200

    # When the same token is used again
    response = http.get(f"{base_url}/auth/me", headers=account.auth)

    # Then it no longer works
    assert_error(response, 401)


def test_a_session_cookie_is_refused_after_logging_out_with_it(base_url: str, http: requests.Session) -> None:
    # Given a browser session that logged out with its cookie
    account = sign_up_and_log_in(http, base_url)
    cookie = {"cf_session": account.token}
    with new_session() as browser:  # from our own page: the cookie, the origin and the CSRF token (test_csrf.py)
        assert browser.post(f"{base_url}/auth/logout", headers=account.browser(base_url)).status_code == 200

        # When the old cookie is replayed
        response = browser.get(f"{base_url}/auth/me", cookies=cookie)

    # Then it no longer works
    assert_error(response, 401)


def test_logout_without_credentials_answers_200(base_url: str) -> None:
    # Given a client that is not logged in
    with new_session() as anonymous:
        # When it logs out
        response = anonymous.post(f"{base_url}/auth/logout")

    # Then logging out is harmless
    assert response.status_code == 200


def test_logout_leaves_the_users_other_sessions_signed_in(base_url: str, http: requests.Session) -> None:
    # Given a user logged in on two devices (RULES: logout revokes the token it was called with)
    account = sign_up_and_log_in(http, base_url)
    other_device = log_in(base_url, account.email).json()["token"]

    # When they log out on the first device
    assert http.post(f"{base_url}/auth/logout", headers=account.auth).status_code == 200

    # Then the second device is still signed in
    response = http.get(f"{base_url}/auth/me", headers=bearer(other_device))
    assert response.status_code == 200, response.text


# --- bad input never gives a 500 ------------------------------------------------------------------------------

SIGNUP_BODIES = {
    **MALFORMED_BODIES,
    "a huge full_name": b'{"email": "huge@example.com", "password": "0123456789", "full_name": "'
                        + b"x" * 200_000 + b'"}',
}
LOGIN_BODIES = {
    **MALFORMED_BODIES,
    "a huge password": b'{"email": "huge@example.com", "password": "' + b"x" * 200_000 + b'"}',
}


@pytest.mark.parametrize("body", SIGNUP_BODIES.values(), ids=SIGNUP_BODIES.keys())
def test_signup_answers_a_malformed_body_with_a_4xx_error(base_url: str, http: requests.Session, body: bytes) -> None:
    # When a malformed body is posted as JSON
    response = http.post(f"{base_url}/auth/signup", data=body, headers=JSON_CONTENT)

    # Then the client gets a 4xx with the contract's error body, never a 500
    assert_client_error(response)


@pytest.mark.parametrize("body", LOGIN_BODIES.values(), ids=LOGIN_BODIES.keys())
def test_login_answers_a_malformed_body_with_a_4xx_error(base_url: str, http: requests.Session, body: bytes) -> None:
    # When a malformed body is posted as JSON
    response = http.post(f"{base_url}/auth/login", data=body, headers=JSON_CONTENT)

    # Then the client gets a 4xx with the contract's error body, never a 500
    assert_client_error(response)
