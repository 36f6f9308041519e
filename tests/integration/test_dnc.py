"""The DNC routes in-process on moto: add, re-add, list, remove, check, import, audit, scopes, isolation."""

from __future__ import annotations

from datetime import timedelta

from shared.compliance import ncpr_repository
from shared.compliance import repository as dnc_repository
from shared.compliance import service as compliance
from shared.platform import clock
from tests.integration.conftest import mint_key, sign_up_and_log_in

NUMBER = "+919876543210"


def _add(api, account, phone=NUMBER, reason=None):
    body = {"phone_e164": phone} if reason is None else {"phone_e164": phone, "reason": reason}
    return api.post("/dnc/add", body, token=account.token)


def test_adding_a_number_in_local_format_stores_it_in_e164(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = _add(api, owner, "098765 43210", "asked on call")

    assert reply.status == 200, reply.body
    entry = reply.body["entry"]
    assert (entry["phone_e164"], entry["reason"]) == (NUMBER, "asked on call")
    assert set(entry) == {"id", "phone_e164", "reason", "added_at"}


def test_re_adding_keeps_the_id_and_refreshes_reason_and_timestamp(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    first = _add(api, owner, reason="old").body["entry"]
    clock.freeze(clock.now() + timedelta(minutes=5))

    second = _add(api, owner, reason="new").body["entry"]

    assert second["id"] == first["id"]
    assert second["reason"] == "new"
    assert second["added_at"] > first["added_at"]


def test_every_change_writes_an_audit_row(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    _add(api, owner)
    _add(api, owner, reason="again")
    api.delete("/dnc/%2B919876543210", token=owner.token)

    trail = dnc_repository.audit_trail(owner.tenant_id)

    assert [record.action for record in trail] == ["added", "refreshed", "removed"]
    assert {record.actor for record in trail} == {f"user:{owner.user_id}"}


def test_an_invalid_number_is_a_400_on_phone_e164(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = _add(api, owner, "+91 12")

    assert (reply.status, reply.body["field"]) == (400, "phone_e164")


def test_a_reason_over_200_characters_is_refused(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = _add(api, owner, reason="x" * 201)

    assert (reply.status, reply.body["field"]) == (400, "reason")


def test_listing_pages_in_number_order_with_the_total(api) -> None:
    owner = sign_up_and_log_in(api, country="US")
    for phone in ("+14155550103", "+14155550101", "+14155550102"):
        _add(api, owner, phone)

    reply = api.get("/dnc", token=owner.token, query="limit=2&offset=1")

    assert reply.status == 200
    assert [entry["phone_e164"] for entry in reply.body["entries"]] == ["+14155550102", "+14155550103"]
    assert (reply.body["total"], reply.body["limit"], reply.body["offset"]) == (3, 2, 1)


def test_removing_a_number_not_listed_is_a_404(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = api.delete("/dnc/%2B919876543210", token=owner.token)

    assert (reply.status, reply.body["code"]) == (404, "DNC_ENTRY_NOT_FOUND")


def test_removing_takes_the_number_off_the_list(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    _add(api, owner)

    reply = api.delete("/dnc/%2B919876543210", token=owner.token)

    assert reply.status == 200 and reply.body == {"deleted": True, "phone_e164": NUMBER}
    assert api.get("/dnc", token=owner.token).body["total"] == 0


def test_check_reports_each_list_separately(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    _add(api, owner)
    ncpr_repository.register([(NUMBER, None)], clock.now())
    compliance.record_call_attempt(owner.tenant_id, NUMBER, clock.now() - timedelta(days=1))

    reply = api.get("/dnc/check", token=owner.token, query="phone_e164=%2B919876543210")

    assert reply.body == {"phone_e164": NUMBER, "on_dnc": True, "on_ncpr": True, "in_cooldown": True,
                          "would_be_filtered": True}


def test_check_of_a_clean_number_would_not_filter_and_changes_nothing(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")

    reply = api.get("/dnc/check", token=owner.token, query="phone_e164=9876543210")

    assert reply.body["would_be_filtered"] is False
    assert api.get("/dnc", token=owner.token).body["total"] == 0


def test_a_call_attempt_older_than_seven_days_is_out_of_cooldown(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    compliance.record_call_attempt(owner.tenant_id, NUMBER, clock.now() - timedelta(days=7, minutes=1))

    reply = api.get("/dnc/check", token=owner.token, query="phone_e164=%2B919876543210")

    assert reply.body["in_cooldown"] is False


def test_json_import_counts_added_existing_and_invalid(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    _add(api, owner)
    rows = [{"phone_e164": NUMBER}, {"phone_e164": "09123456780", "reason": "r"}, {"phone_e164": "junk"},
            {"phone_e164": "+919123456780"}]

    reply = api.post("/dnc/import", {"rows": rows}, token=owner.token)

    assert reply.body == {"added": 1, "skipped_existing": 2, "skipped_invalid": 1}
    assert api.get("/dnc", token=owner.token).body["total"] == 2


def test_csv_import_reads_the_phone_and_reason_columns(api) -> None:
    owner = sign_up_and_log_in(api, country="US")
    csv_file = b"Phone;Reason\r\n(415) 555-0101;complained\r\n\r\nnot a number;x\r\n"
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dnc.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + csv_file + b"\r\n--XyZ--\r\n")

    reply = api.post("/dnc/import", raw_body=body, token=owner.token,
                     headers={"content-type": "multipart/form-data; boundary=XyZ"})

    assert reply.body == {"added": 1, "skipped_existing": 0, "skipped_invalid": 1}
    assert api.get("/dnc", token=owner.token).body["entries"][0]["reason"] == "complained"


def test_import_without_file_or_rows_is_a_400(api) -> None:
    owner = sign_up_and_log_in(api, country="US")

    reply = api.post("/dnc/import", {}, token=owner.token)

    assert reply.status == 400


def test_a_read_key_can_check_but_not_add(api) -> None:
    owner = sign_up_and_log_in(api, country="IN")
    secret = mint_key(api, owner, scope="read")["secret"]

    assert api.get("/dnc/check", token=secret, query="phone_e164=%2B919876543210").status == 200
    assert api.post("/dnc/add", {"phone_e164": NUMBER}, token=secret).status == 403


def test_another_tenants_list_is_invisible(api) -> None:
    owner, stranger = sign_up_and_log_in(api, country="IN"), sign_up_and_log_in(api, country="IN")
    _add(api, owner)

    assert api.get("/dnc", token=stranger.token).body["total"] == 0
    assert api.get("/dnc/check", token=stranger.token, query="phone_e164=%2B919876543210").body["on_dnc"] is False
    assert api.delete("/dnc/%2B919876543210", token=stranger.token).status == 404


def test_unauthenticated_requests_are_refused(api) -> None:
    assert api.get("/dnc").status == 401


