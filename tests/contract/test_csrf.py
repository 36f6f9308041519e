"""CSRF over HTTP, as the issue found it: a page on another site, riding on the victim's `cf_session` cookie, must
change nothing — not mint an admin key, not upload a file. Our own page (same origin, `cf_csrf` echoed in
`X-CSRF-Token`) writes with the cookie alone. Every other cookie-authenticated write: test_security_matrix.py."""

from __future__ import annotations

import requests

from tests.contract.helpers import assert_error, list_keys, new_session, sign_up_and_log_in

EVIL = "https://evil.example"
DNC_CSV = b"Mobile,Reason\r\n+14155550177,asked\r\n"
AUDIENCE_CSV = b"Name,Mobile\r\nAsha,+14155550178\r\n"


def test_a_foreign_page_cannot_mint_an_admin_key_with_the_cookie(base_url: str, http: requests.Session) -> None:
    # Given a logged-in user whose browser holds the session cookie
    victim = sign_up_and_log_in(http, base_url)
    attack = {**victim.browser(base_url), "Origin": EVIL}

    # When a page on another site posts to /api-keys (the browser attaches the cookie; the page can't read cf_csrf)
    with new_session() as browser:
        for headers in (attack, {key: value for key, value in attack.items() if key != "X-CSRF-Token"}):
            response = browser.post(f"{base_url}/api-keys", headers=headers, json={"name": "x", "scope": "admin"})
            # Then it is refused and no key exists
            assert_error(response, 403, "CSRF_REJECTED")
    assert list_keys(http, base_url, victim) == []


def test_a_foreign_page_cannot_upload_files_with_the_cookie(base_url: str, http: requests.Session) -> None:
    victim = sign_up_and_log_in(http, base_url, country="US")
    workflow = http.post(f"{base_url}/api/workflows", headers=victim.auth,
                         json={"nl_prompt": "Renewal reminders for our US customers, 9am-8pm Eastern"}).json()
    attack = {**victim.browser(base_url), "Origin": EVIL}

    with new_session() as browser:
        dnc = browser.post(f"{base_url}/dnc/import", headers=attack, files={"file": ("dnc.csv", DNC_CSV, "text/csv")})
        audience = browser.post(f"{base_url}/api/workflows/{workflow['id']}/audience", headers=attack,
                                files={"file": ("audience.csv", AUDIENCE_CSV, "text/csv")})

    assert_error(dnc, 403, "CSRF_REJECTED")
    assert_error(audience, 403, "CSRF_REJECTED")
    assert http.get(f"{base_url}/dnc", headers=victim.auth).json().get("entries", []) == []


def test_our_own_page_writes_with_the_cookie_and_the_token(base_url: str, http: requests.Session) -> None:
    # Given the console (same origin), holding the cookies the login set
    user = sign_up_and_log_in(http, base_url)
    assert user.csrf_token

    with new_session() as console:
        minted = console.post(f"{base_url}/api-keys", headers=user.browser(base_url),
                              json={"name": "from the console", "scope": "read"})
        uploaded = console.post(f"{base_url}/dnc/import", headers=user.browser(base_url),
                                files={"file": ("dnc.csv", DNC_CSV, "text/csv")})

    assert minted.status_code == 201, minted.text
    assert uploaded.status_code == 200 and uploaded.json()["added"] == 1, uploaded.text


def test_localhost_is_the_same_stack_too(base_url: str, http: requests.Session) -> None:
    # The laptop stack answers on 127.0.0.1 and localhost alike: a console opened on either may write
    user = sign_up_and_log_in(http, base_url)
    localhost = base_url.replace("127.0.0.1", "localhost")

    with new_session() as console:
        response = console.post(f"{base_url}/dnc/add", headers=user.browser(localhost),
                                json={"phone_e164": "+14155550179"})

    assert response.status_code == 200, response.text


def test_a_foreign_page_cannot_sign_the_user_out_everywhere_with_the_cookie(base_url: str,
                                                                             http: requests.Session) -> None:
    # Given a user signed in in the browser (cookie) and on another device (a JWT a script uses)
    from tests.contract.helpers import bearer, log_in

    victim = sign_up_and_log_in(http, base_url)
    other_device = log_in(base_url, victim.email).json()["token"]
    attack = {**victim.browser(base_url), "Origin": EVIL}

    # When a page on another site posts to /auth/logout?everywhere=true (the browser attaches the cookie)
    with new_session() as browser:
        response = browser.post(f"{base_url}/auth/logout?everywhere=true",
                                headers={key: value for key, value in attack.items() if key != "X-CSRF-Token"})

    # Then it is refused, and every session of the user still works
    assert_error(response, 403, "CSRF_REJECTED")
    assert http.get(f"{base_url}/auth/me", headers=victim.auth).status_code == 200
    assert http.get(f"{base_url}/auth/me", headers=bearer(other_device)).status_code == 200

    # And our own page signs out with the cookie and the token
    with new_session() as console:
        assert console.post(f"{base_url}/auth/logout", headers=victim.browser(base_url)).status_code == 200
    assert http.get(f"{base_url}/auth/me", headers=victim.auth).status_code == 401
