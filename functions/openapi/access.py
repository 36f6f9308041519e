"""Completes the merged OpenAPI document from each route's declared policy (`shared.auth.policies`): every
operation's `security`, the error responses it can answer (one shared `Error` schema) and an example; the few
routes whose bodies Powertools cannot describe (signed webhooks, TwiML, uploads that also accept JSON) are
corrected from small tables here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.platform.http.input_types import EMAIL_PATTERN

if TYPE_CHECKING:
    from shared.auth.policies import RoutePolicy

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ERROR_SCHEMA_REF = "#/components/schemas/Error"
USER_SECURITY = [{"bearerAuth": []}, {"cookieAuth": []}]
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "cf_live_… API key or JWT",
                   "description": "An API key (`cf_live_…`, scoped read/write/admin) or the JWT from "
                                  "POST /auth/login."},
    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "cf_session",
                   "description": "The browser session set by POST /auth/login (HttpOnly, Secure, SameSite=Lax). "
                                  "A write with it must come from a trusted Origin and echo the cf_csrf "
                                  "cookie in X-CSRF-Token (else 403 CSRF_REJECTED)."},
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["error", "code"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, for humans"},
        "code": {"type": "string", "description": "Machine-readable, e.g. VALIDATION_ERROR"},
        "field": {"type": "string", "description": "The field at fault, when there is one"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "Every problem, when several"},
    },
}
ERROR_DESCRIPTIONS: dict[str, tuple[str, str, str]] = {  # status → (description, example code, example message)
    "400": ("Bad request: a field fails validation (`field` names it) or the body is not JSON",
            "VALIDATION_ERROR", "name: String should have at least 1 character"),
    "401": ("No credentials, or they are unknown, expired or revoked", "UNAUTHORIZED",
            "Authentication required"),
    "402": ("The wallet cannot pay for this", "INSUFFICIENT_FUNDS", "The wallet balance is too low"),
    "403": ("Authenticated, but not allowed (`INSUFFICIENT_SCOPE`, `USER_REQUIRED`; `CSRF_REJECTED`: a write "
            "authenticated by the cookie without a trusted Origin and X-CSRF-Token)", "INSUFFICIENT_SCOPE",
            "This API key lacks the 'write' scope"),
    "404": ("Not found in your workspace", "NOT_FOUND", "Not found"),
    "409": ("Conflicts with the resource's current state", "CONFLICT", "Pause the workflow first"),
    "413": ("The request body is too large", "PAYLOAD_TOO_LARGE", "Request body exceeds 10 MB"),
    "415": ("The body must be application/json", "UNSUPPORTED_MEDIA_TYPE",
            "Send the request body as application/json"),
    "422": ("Well-formed but rejected (e.g. a generated rule book failed validation, an Idempotency-Key reused "
            "with another body)", "VALIDATION_FAILED", "The generated rule book was rejected"),
    "429": ("Rate limited: retry after `Retry-After` seconds", "RATE_LIMITED", "Too many requests"),
    "502": ("A provider we called failed or could not be reached", "SLACK_UNAVAILABLE",
            "Slack could not be reached"),
    "503": ("A dependency is not configured or unavailable", "UNAVAILABLE", "Not configured"),
}
#: Errors particular to one operation, beyond those its policy, parameters and body imply.
EXTRA_ERRORS: dict[str, tuple[str, ...]] = {
    "POST /auth/signup": ("409",),  # EMAIL_TAKEN
    "POST /auth/login": ("401", "403", "429"),
    "POST /auth/logout": ("403",),  # CSRF_REJECTED: the session cookie alone, from a foreign page
    "GET /auth/me": ("404",),  # TENANT_NOT_FOUND: the workspace was deleted under a live session
    "DELETE /api-keys/{id}": ("409",),
    "POST /workflows": ("422",),
    "PUT /workflows/{id}": ("409", "422"),
    "DELETE /workflows/{id}": ("409",),
    "POST /workflows/{id}/retire": ("409",),
    "POST /workflows/{id}/regenerate-rule-book": ("409", "422"),
    "POST /workflows/{id}/audience": ("409", "413"),
    "PUT /workflows/{id}/compliance": ("409",),  # WORKFLOW_RETIRED, WORKFLOW_CHANGED
    "POST /workflows/{id}/run": ("402", "409", "422", "503"),  # 503 DIALER_UNAVAILABLE, ENCRYPTION_UNAVAILABLE
    "POST /workflows/{id}/pause": ("409",),
    "POST /approvals/{id}/decide": ("409",),
    # Each tenant's own Slack: 503 SLACK_NOT_CONFIGURED / ENCRYPTION_UNAVAILABLE; 502 Slack unreachable; 409 the
    # workspace is another tenant's (or the connection changed, or Slack wants a reconnect); 404 not connected;
    # 422 no such channel.
    "POST /integrations/slack/install": ("503",),
    "GET /integrations/slack/oauth/callback": ("409", "502", "503"),
    "PUT /integrations/slack": ("404", "409", "422", "502", "503"),
    "DELETE /integrations/slack": ("404", "409", "503"),
    "POST /onboarding/complete": ("409",),
    "PUT /onboarding/credentials/{provider}": ("503",),
    "GET /billing/balance": ("404",),  # WALLET_NOT_FOUND
    "GET /billing/precheck": ("404",),
    "GET /calls": ("404",),  # WALLET_NOT_FOUND: a call's cost is shown in the wallet's currency
    "POST /billing/topup": ("404", "409", "422"),
    "POST /billing/autocharge": ("404", "422"),
    "POST /numbers/search": ("503",),  # ENCRYPTION_UNAVAILABLE: BYOK credentials cannot be decrypted
    "POST /numbers/provision": ("409", "422", "503"),
    "POST /numbers/import": ("404", "409", "503"),  # 404 NUMBER_NOT_OWNED
    "POST /numbers/{id}/release": ("503",),
    "POST /billing/webhooks/payment": ("503",),
    "POST /slack/interactivity": ("503",),
    "POST /telephony/{provider}/voice/{tenant_id}/{call_id}": ("409", "503"),  # Exotel: CALL_ENDED, no voice plane
    "GET /telephony/exotel/voicebot": ("409", "503"),
    "POST /telephony/{provider}/status/{tenant_id}/{call_id}": ("503",),
    # Warm transfers: CALL_NOT_FOUND; the leg's charge (WALLET_BUSY), the voice plane or the carrier unreachable.
    "POST /telephony/{provider}/stream-end/{tenant_id}/{call_id}": ("404",),
    "POST /telephony/{provider}/whisper/{tenant_id}/{call_id}": ("404",),
    "POST /telephony/{provider}/dial-result/{tenant_id}/{call_id}": ("404", "503"),
    "POST /telephony/{provider}/transfer-recording/{tenant_id}/{call_id}": ("404", "502", "503"),
    "POST /webhooks": ("503",),  # ENCRYPTION_UNAVAILABLE: the signing secret cannot be sealed
    "POST /webhooks/{id}/test": ("503",),  # WEBHOOK_DELIVERIES_UNAVAILABLE: the deliveries queue is unreachable
    "POST /webhooks/{id}/deliveries/{delivery_id}/retry": ("503",),
    # CALLBACK_NOT_CANCELLABLE: placed, skipped or cancelled already; 503: the scheduler could not delete its schedule.
    "DELETE /callbacks/{id}": ("409", "503"),
}
_FORM = "application/x-www-form-urlencoded"
#: Carrier webhooks with a form body; the voice webhook answers the call (TwiML), the others 204.
_FORM_WEBHOOKS = ("voice", "amd", "status", "stream-end", "whisper", "dial-result", "transfer-recording")
#: The warm transfer's TwiML answers (shared.transfers), by step.
_TRANSFER_TWIML = {
    "stream-end": ("The stream ended: `<Dial>` the requested transfer (whisper, recording, ring time), else "
                   "`<Hangup/>`", '<Response><Dial action="https://api.example.com/telephony/twilio/dial-result/7/'
                   'call_0a1b" record="record-from-answer-dual" timeout="20"><Number url="https://api.example.com/'
                   'telephony/twilio/whisper/7/call_0a1b">+14155550123</Number></Dial></Response>'),
    "whisper": ("What the person hears before the callee is connected", "<Response><Say>Transfer from the AI caller: "
                "the contact on …0105 asked to speak to a person.</Say></Response>"),
    "dial-result": ("Answered: `<Hangup/>` once the leg is billed; not answered: the callee streams back to the agent "
                    "(`<Connect><Stream>` with `transfer`)", "<Response><Hangup/></Response>"),
}
_STREAM_TWIML = ('<Response><Connect><Stream url="wss://voice.example.com/media/twilio">'
                 '<Parameter name="token" value="v1.eyJ0aWQiOjd9.c2ln"/><Parameter name="call_id" value="call_0a1b"/>'
                 '</Stream></Connect></Response>')
_STREAM_URL = {"url": "wss://voice.example.com/media/exotel?token=v1.eyJ0aWQiOjd9.c2ln&call_id=call_0a1b"}
#: Bodies the routes read raw (signatures are computed over the bytes), so Powertools cannot describe them.
RAW_REQUEST_BODIES: dict[str, tuple[str, dict[str, Any], Any]] = {
    "POST /billing/webhooks/payment": ("application/json", {"type": "object"},
                                       {"id": "evt_1", "type": "payment.succeeded",
                                        "data": {"intent_id": "pi_1", "amount_minor": 1000}}),
    "POST /slack/interactivity": (_FORM, {"type": "object", "properties": {"payload": {"type": "string"}}},
                                  {"payload": '{"type":"block_actions","actions":[]}'}),
    **{f"POST /telephony/{{provider}}/{step}/{{tenant_id}}/{{call_id}}": (
        _FORM, {"type": "object", "additionalProperties": {"type": "string"}},
        {"CallSid": "CA0123456789abcdef", "CallStatus": "in-progress"}
        if step != "amd" else {"CallSid": "CA0123456789abcdef", "AnsweredBy": "machine_end_beep"})
       for step in _FORM_WEBHOOKS},
}
#: The header parameters a signed route requires, with the shape its verifier accepts (a missing or garbled
#: one is 400 `SIGNATURE_MISSING`; a well-formed one that does not match is 401/403).
_TIMESTAMP = {"type": "string", "pattern": "^[0-9]{1,12}$", "example": "1767225600"}
SIGNATURE_HEADERS: dict[str, tuple[tuple[str, dict[str, Any], str], ...]] = {
    "POST /billing/webhooks/payment": (
        ("X-CallFunnel-Timestamp", _TIMESTAMP, "Unix seconds when the event was signed (300 s tolerance)"),
        ("X-CallFunnel-Signature", {"type": "string", "pattern": "^v1=[0-9a-fA-F]{64}$",
                                    "example": "v1=" + "0" * 64},
         "`v1=` + hex HMAC-SHA256 of `{timestamp}.{raw body}` with the webhook secret"),
    ),
    "POST /slack/interactivity": (
        ("X-Slack-Request-Timestamp", _TIMESTAMP, "Unix seconds when Slack signed the request"),
        ("X-Slack-Signature", {"type": "string", "pattern": "^v0=[0-9a-fA-F]{64}$", "example": "v0=" + "0" * 64},
         "`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the Slack signing secret"),
    ),
    **{f"POST /telephony/{{provider}}/{step}/{{tenant_id}}/{{call_id}}": (
        ("X-Twilio-Signature", {"type": "string", "pattern": "^[A-Za-z0-9+/]{27}=$",
                                "example": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
         "Twilio: base64 HMAC-SHA1 of the URL and sorted form fields (Exotel: a token in the URL instead)"),
    ) for step in _FORM_WEBHOOKS},
}
#: Shapes the services check but the route signatures do not spell, by parameter or request-body field name:
#: our ids are a type prefix and base62 (`wf_0Pq3…`), numbers E.164 (`+` is sent as `%2B` in a path).
ID_PATTERN = "^[A-Za-z0-9_-]+$"
EMAIL = re.compile(EMAIL_PATTERN)
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
#: Report days from 1970-01-01 (nothing we store is older) to 9999-12-30 (a range ends at the next midnight).
REPORTABLE_DAY_PATTERN = r"^(?!9999-12-31)(19[7-9][0-9]|[2-9][0-9]{3})-"
INPUT_SHAPES: dict[str, dict[str, Any]] = {
    "id": {"pattern": ID_PATTERN}, "call_id": {"pattern": ID_PATTERN}, "workflow_id": {"pattern": ID_PATTERN},
    "run_id": {"pattern": ID_PATTERN}, "user_id": {"pattern": ID_PATTERN}, "delivery_id": {"pattern": ID_PATTERN},
    "provider": {"pattern": "^[a-z_]+$"},  # BYOK provider names (`anthropic`, `twilio`…); unknown ones are 404
    "email": {"pattern": EMAIL.pattern, "example": "ada@example.com"},
    "phone": {"pattern": E164_PATTERN, "example": "+14155550123"},
    "phone_e164": {"pattern": E164_PATTERN, "example": "+14155550123"},
    "cursor": {"pattern": "^[A-Za-z0-9_-]+$", "description": "`next_cursor` of the previous page, as given"},
    "from": {"format": "date", "pattern": REPORTABLE_DAY_PATTERN, "example": "2026-05-18"},
    "to": {"format": "date", "pattern": REPORTABLE_DAY_PATTERN, "example": "2026-05-24"},
}
#: Uploads that take a CSV (multipart) or the same rows as JSON; Powertools documents only the multipart form.
JSON_ROW_UPLOADS: dict[str, dict[str, Any]] = {
    "POST /workflows/{id}/audience": {"phone": "+14155550123", "name": "Ada"},
    "POST /dnc/import": {"phone_e164": "+14155550123", "reason": "asked not to be called"},
}


def describe_access_and_errors(document: dict[str, Any], policies: dict[tuple[str, str], RoutePolicy]) -> None:
    """Complete every operation in place: security from its policy, its error responses, an example."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, path_item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            route_key = f"{method.upper()} {path}"
            policy = policies.get((method.upper(), path))
            if policy is None:
                from shared.auth.policies import UnclassifiedRoute

                raise UnclassifiedRoute(f"{route_key} is in the document but no resolver declared it")
            _describe_access(operation, policy)
            _correct_bodies(route_key, operation)
            _declare_signature_headers(route_key, operation)
            _declare_parameter_shapes(operation)
            _describe_errors(route_key, operation, policy)
            _add_examples(operation, components["schemas"])
    _drop_unused_schemas(document, ("HTTPValidationError", "ResponseValidationError", "ValidationError"))
    _declare_request_body_shapes(document)


def _describe_access(operation: dict[str, Any], policy: RoutePolicy) -> None:
    if policy.access == "protected":
        operation["security"] = USER_SECURITY
        scope = policy.scope.label if policy.scope else "read"
        who = ("a logged-in user only (JWT or `cf_session` cookie); API keys get 403 `USER_REQUIRED`"
               if policy.users_only else f"an API key with the `{scope}` scope, or a user JWT/cookie")
        note = f"**Auth:** {who}; role or key scope `{scope}` or higher."
    else:
        operation["security"] = []
        note = f"**Auth:** {'public' if policy.access == 'public' else 'signed request'} — {policy.reason}."
    operation["x-callfunnel-access"] = {"access": policy.access, "scope": policy.scope.label if policy.scope
                                        else None, "users_only": policy.users_only}
    operation["description"] = f"{operation['description']}\n\n{note}" if operation.get("description") else note


def _correct_bodies(route_key: str, operation: dict[str, Any]) -> None:
    if route_key in RAW_REQUEST_BODIES:
        media_type, schema, example = RAW_REQUEST_BODIES[route_key]
        operation["requestBody"] = {"required": True, "content": {media_type: {"schema": schema,
                                                                               "example": example}}}
    if route_key in JSON_ROW_UPLOADS:
        row = JSON_ROW_UPLOADS[route_key]
        # One of the two bodies is required. The form is the CSV file alone (Powertools also lists the JSON
        # alternative's `rows` as a form field).
        operation.setdefault("requestBody", {"content": {}})["required"] = True
        operation["requestBody"]["content"]["multipart/form-data"] = {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": {
                "type": "string", "format": "binary", "minLength": 1, "description": "A CSV with a header row"}}},
            "example": {"file": ",".join(row) + "\n" + ",".join(row.values()) + "\n"}}
        rows = {"type": "object", "required": ["rows"],
                "properties": {"rows": {"type": "array", "items": {"type": "object"}}}}
        operation.setdefault("requestBody", {"content": {}})["content"]["application/json"] = {
            "schema": rows, "example": {"rows": [row]}}
    if route_key.startswith(("POST /telephony/", "GET /telephony/")):
        _correct_carrier_answers(route_key, operation["responses"])


def _correct_carrier_answers(route_key: str, responses: dict[str, Any]) -> None:
    responses.pop("200", None)
    stream_url = {"application/json": {"schema": {"type": "object", "required": ["url"],
                                                  "properties": {"url": {"type": "string"}}},
                                       "example": _STREAM_URL}}
    if route_key == "GET /telephony/exotel/voicebot":
        responses["200"] = {"description": "Where Exotel opens the call's bidirectional stream", "content": stream_url}
    elif route_key.split("/")[3] == "voice":
        responses["200"] = {"description": "The call streamed to the voice plane: TwiML `<Connect><Stream>` (a call "
                                           "already over: `<Hangup/>`); for Exotel, the stream's URL",
                            "content": {"text/xml": {"schema": {"type": "string"}, "example": _STREAM_TWIML},
                                        **stream_url}}
    elif route_key.split("/")[3] in _TRANSFER_TWIML:
        description, example = _TRANSFER_TWIML[route_key.split("/")[3]]
        responses["200"] = {"description": description,
                            "content": {"text/xml": {"schema": {"type": "string"}, "example": example}}}
    elif route_key.split("/")[3] == "transfer-recording":
        responses["204"] = {"description": "The recording is kept under the call's recordings"}
    elif route_key.split("/")[3] == "amd":
        responses["204"] = {"description": "The verdict is recorded on the call"}
    else:
        responses["204"] = {"description": "Queued for the call-events consumer"}


def _declare_signature_headers(route_key: str, operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    for name, schema, description in SIGNATURE_HEADERS.get(route_key, ()):
        parameters.append({"name": name, "in": "header", "required": True, "description": description,
                           "schema": dict(schema)})


def _declare_parameter_shapes(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        shape = INPUT_SHAPES.get(parameter["name"])
        if shape is not None and "schema" in parameter:
            _constrain_string(parameter["schema"], shape)


def _declare_request_body_shapes(document: dict[str, Any]) -> None:
    """Request-body fields named in INPUT_SHAPES get their shape, in the schemas only requests use: a response
    may carry a masked number (`***0123`), which an E.164 pattern would call non-conforming."""
    import json

    schemas = document.get("components", {}).get("schemas", {})
    responses = json.dumps([operation.get("responses", {}) for path_item in document.get("paths", {}).values()
                            for operation in path_item.values() if isinstance(operation, dict)])
    in_responses = _referenced_closure(responses, schemas)
    for name, schema in schemas.items():
        if name in in_responses:
            continue
        for field, field_schema in schema.get("properties", {}).items():
            if field in INPUT_SHAPES:
                _constrain_string(field_schema, INPUT_SHAPES[field])


def _referenced_closure(text: str, schemas: dict[str, Any]) -> set[str]:
    import json

    found: set[str] = set()
    pending = [name for name in schemas if f'"#/components/schemas/{name}"' in text]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            inner = json.dumps(schemas.get(name, {}))
            pending += [other for other in schemas if f'"#/components/schemas/{other}"' in inner]
    return found


def _constrain_string(schema: dict[str, Any], shape: dict[str, Any]) -> None:
    """Add the shape to the string branch of `schema` (itself, or the string option of an `anyOf`)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string" and "enum" not in branch:
            for key, value in shape.items():
                if key == "format":
                    branch.setdefault("format", value)
                else:
                    branch.setdefault(key, value)


def _describe_errors(route_key: str, operation: dict[str, Any], policy: RoutePolicy) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)  # Powertools' own validation body; ours is 400 with the Error schema
    statuses = set(EXTRA_ERRORS.get(route_key, ()))
    parameters = operation.get("parameters", [])
    body_types = set(operation.get("requestBody", {}).get("content", {}))
    if parameters or body_types or policy.access == "signed":
        statuses.add("400")
    if "application/json" in body_types and policy.access != "signed":
        statuses.add("415")
    if policy.access == "protected":
        statuses |= {"401", "403", "429"}
        if any(parameter.get("in") == "path" for parameter in parameters):
            statuses.add("404")
    elif policy.access == "signed":  # carriers get 403 for a bad signature; payments and Slack 401
        statuses |= {"403", "404"} if route_key.startswith(("POST /telephony/", "GET /telephony/")) else {"401"}
    for status in sorted(statuses):
        description, code, message = ERROR_DESCRIPTIONS[status]
        response = responses.setdefault(status, {"description": description})
        content = response.setdefault("content", {}).setdefault("application/json", {})
        content.setdefault("schema", {"$ref": ERROR_SCHEMA_REF})
        content.setdefault("example", {"error": message, "code": code})


def _add_examples(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    bodies = [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
    for body in bodies:
        for media in body.get("content", {}).values():
            if "example" not in media and "examples" not in media and "schema" in media:
                media["example"] = example_of(media["schema"], schemas)


def _drop_unused_schemas(document: dict[str, Any], names: Iterable[str]) -> None:
    import json

    text = json.dumps(document.get("paths", {}))
    schemas = document.get("components", {}).get("schemas", {})
    for name in names:
        if f'"#/components/schemas/{name}"' not in text and not _referenced_by_schemas(name, schemas):
            schemas.pop(name, None)


def _referenced_by_schemas(name: str, schemas: dict[str, Any]) -> bool:
    import json

    return any(f'"#/components/schemas/{name}"' in json.dumps(schema)
               for other, schema in schemas.items() if other != name)


# --- Examples synthesised from a schema (plausible values by field name, always valid for the schema) ---

_EXAMPLE_STRINGS: tuple[tuple[str, str], ...] = (
    (r"e164|phone", "+14155550123"),
    (r"email", "ada@example.com"),
    (r"url$|_uri$", "https://callfunnel.ai/example"),
    (r"prefix", "cf_live_aB3xYz"),
    (r"secret", "cf_live_aB3xYzExampleSecretValue0123456789"),
    (r"currency", "USD"),
    (r"country", "US"),
    (r"^call_id$", "call_0123abcd"),
    (r"^workflow_id$|^id$", "wf_01HZX3K9"),
    (r"^run_id$", "run_01HZX3K9"),
    (r"_id$", "01HZX3K9ABCD"),
    (r"name", "Renewal recovery"),
    (r"token", "eyJhbGciOiJIUzI1NiJ9.example.signature"),
)
_EXAMPLE_FORMATS = {"date-time": "2026-05-18T09:30:00Z", "date": "2026-05-18", "email": "ada@example.com",
                    "uri": "https://callfunnel.ai/example", "uuid": "0f8fad5b-d9cb-469f-a165-70867728950e"}


def example_of(schema: dict[str, Any], schemas: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """A value for `schema`: its own example/default/enum first, else one built from its type and field name."""
    if "$ref" in schema:
        return example_of(schemas.get(schema["$ref"].rsplit("/", 1)[-1], {}), schemas, name, depth)
    for key in ("example", "const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = [option for option in schema.get(combinator, []) if option.get("type") != "null"]
        if options:
            return example_of(options[0], schemas, name, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), None)
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        required = set(schema.get("required", ()))
        return {field: example_of(sub, schemas, field, depth + 1)
                for field, sub in schema.get("properties", {}).items()
                if field in required or not _nullable(sub)}  # optional nullable fields are left out
    if kind == "array":
        return [] if depth > 4 else [example_of(schema.get("items", {}), schemas, name, depth + 1)]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), min(int(schema.get("maximum", 1000)), 1000 if "minor" in name
                                                      else 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    if kind == "string":
        return _example_string(schema, name)
    return None


def _nullable(schema: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


def _example_string(schema: dict[str, Any], name: str) -> str:
    if schema.get("format") in _EXAMPLE_FORMATS:
        return _EXAMPLE_FORMATS[schema["format"]]
    candidates = [value for pattern, value in _EXAMPLE_STRINGS if re.search(pattern, name)] + ["example"]
    for candidate in candidates:
        fits_length = schema.get("minLength", 0) <= len(candidate) <= schema.get("maxLength", len(candidate))
        if fits_length and re.search(schema.get("pattern", ""), candidate):
            return candidate
    return "x" * max(1, schema.get("minLength", 1))
