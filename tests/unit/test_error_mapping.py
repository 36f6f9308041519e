import json

from shared.platform.errors import Conflict
from shared.platform.http import error_mapping


def body_of(response):
    return json.loads(response.body) if isinstance(response.body, str) else response.body


def test_a_domain_error_keeps_its_status_code_and_field():
    response = error_mapping._from_domain_error(Conflict("taken", code="EMAIL_TAKEN", field="email"))

    assert response.status_code == 409
    assert body_of(response) == {"error": "taken", "code": "EMAIL_TAKEN", "field": "email"}


def test_the_field_is_what_follows_the_source_in_the_location():
    assert error_mapping._field_of(("body", "scope")) == "scope"
    assert error_mapping._field_of(("body", "rows", 3, "phone")) == "rows.3.phone"
    assert error_mapping._field_of(("query", "token")) == "token"
    assert error_mapping._field_of(("body",)) is None


def test_an_error_without_a_field_has_no_field_key():
    response = error_mapping.error_response(404, "NOT_FOUND", "nope")

    assert "field" not in body_of(response)
