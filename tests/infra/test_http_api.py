"""The HTTP API serves every catalog route (and its aliases) from the function the catalog names."""

from __future__ import annotations

import json

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction
from infra_cdk.app import STACK_NAME
from tests.infra.synthesis import Synthesis
from tests.infra.template_queries import integration_function_id, lambda_of, referenced_id

pytestmark = pytest.mark.infra

every_function = pytest.mark.parametrize("spec", FUNCTIONS, ids=[spec.name for spec in FUNCTIONS])


def _routes_by_key(synthesis: Synthesis) -> dict[str, dict]:
    routes = list(synthesis.of_type("AWS::ApiGatewayV2::Route").values())
    by_key = {route["Properties"]["RouteKey"]: route for route in routes}
    assert len(by_key) == len(routes), "a route key is declared twice"
    return by_key


def test_api_speaks_http(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties("AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"})


def test_api_serves_the_catalog_routes_and_nothing_else(synthesis: Synthesis) -> None:
    catalog_keys = {key for spec in FUNCTIONS for route in spec.routes for key in route.route_keys}
    assert set(_routes_by_key(synthesis)) == catalog_keys | {"$default"}


@every_function
def test_every_route_key_and_alias_reaches_its_function(synthesis: Synthesis, spec: LambdaFunction) -> None:
    function_id, _ = lambda_of(synthesis, spec)
    routes = _routes_by_key(synthesis)
    for route in spec.routes:
        assert len(route.route_keys) == 3  # the path, /api and /v1
        for route_key in route.route_keys:
            assert integration_function_id(synthesis, routes[route_key]) == function_id, route_key


def test_unknown_paths_reach_the_function_that_serves_unmatched_routes(synthesis: Synthesis) -> None:
    (unmatched,) = [spec for spec in FUNCTIONS if spec.serves_unmatched_routes]
    function_id, _ = lambda_of(synthesis, unmatched)
    assert integration_function_id(synthesis, _routes_by_key(synthesis)["$default"]) == function_id


def test_integrations_are_lambda_proxies_with_payload_v2(synthesis: Synthesis) -> None:
    integrations = synthesis.of_type("AWS::ApiGatewayV2::Integration").values()
    assert integrations
    for integration in integrations:
        assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"


@every_function
def test_api_gateway_may_invoke_the_function_from_this_api_only(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    function_id, _ = lambda_of(synthesis, spec)
    api_id, _ = synthesis.the_one("AWS::ApiGatewayV2::Api")
    permissions = [
        p["Properties"]
        for p in synthesis.of_type("AWS::Lambda::Permission").values()
        if referenced_id(p["Properties"]["FunctionName"]) == function_id
    ]
    source_arn_tails = sorted(p["SourceArn"]["Fn::Join"][1][-1] for p in permissions)
    # "/*/*/*" matches stage/method/path of every route; the catch-all "$default" route needs "/*/*".
    # A function without routes (queue-triggered) is not invocable by API Gateway at all.
    expected = ["/*/*/*"] if spec.routes else []
    assert source_arn_tails == (["/*/*", *expected] if spec.serves_unmatched_routes else expected)
    for permission in permissions:
        assert permission["Principal"] == "apigateway.amazonaws.com"
        assert permission["Action"] == "lambda:InvokeFunction"
        assert {"Ref": api_id} in permission["SourceArn"]["Fn::Join"][1]


ROUTES_STACK = "HttpApi/Routes"
#: What the routes stack holds: the routes, one integration per function, and API Gateway's invoke permissions.
_ROUTING_TYPES = {"AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::Lambda::Permission"}


def test_routes_integrations_and_invoke_permissions_live_in_the_routes_stack(synthesis: Synthesis) -> None:
    # (CloudFormation's 500 resources per stack: the routes alone are 3 per catalog path.)
    main = synthesis.stack(STACK_NAME).resources.values()
    routes_stack = synthesis.stack(ROUTES_STACK).resources.values()
    assert {resource["Type"] for resource in routes_stack} == _ROUTING_TYPES
    assert not [resource for resource in main if resource["Type"] in _ROUTING_TYPES]
    # The API, its stage and the functions stay in the main stack (the functions are told the API's URL).
    assert {r["Type"] for r in main} >= {"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::Lambda::Function"}


def test_the_routes_stack_is_passed_the_api_id_and_the_arns_of_the_functions_with_routes(
    synthesis: Synthesis,
) -> None:
    api_id, _ = synthesis.the_one("AWS::ApiGatewayV2::Api")
    passed = synthesis.stack(ROUTES_STACK).resource_in_parent["Properties"]["Parameters"].values()
    served = [spec for spec in FUNCTIONS if spec.routes or spec.serves_unmatched_routes]
    expected = [{"Ref": api_id}, *({"Fn::GetAtt": [lambda_of(synthesis, spec)[0], "Arn"]} for spec in served)]
    assert sorted(map(json.dumps, passed)) == sorted(map(json.dumps, expected))


def test_the_routes_stack_template_is_an_asset_of_the_bootstrap_bucket_so_synth_needs_no_account(
    synthesis: Synthesis,
) -> None:
    routes_stack = synthesis.stack(ROUTES_STACK)
    assert routes_stack.path.parent == synthesis.assembly_dir  # `cdk deploy --app cdk.out` uploads it from there
    url = json.dumps(routes_stack.resource_in_parent["Properties"]["TemplateURL"])
    assert "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}" in url  # resolved at deploy time, not at synth


def test_default_stage_deploys_itself_and_throttles(synthesis: Synthesis) -> None:
    synthesis.template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "DefaultRouteSettings": {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
        },
    )


def test_default_stage_writes_json_access_logs_to_a_kept_log_group(synthesis: Synthesis) -> None:
    _, stage = synthesis.the_one("AWS::ApiGatewayV2::Stage")
    access_logs = stage["Properties"]["AccessLogSettings"]
    log_group = synthesis.resources[referenced_id(access_logs["DestinationArn"])]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30
    fields = json.loads(access_logs["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert {"routeKey", "status", "integrationStatus"} <= set(fields)


# Context variables that hold (part of) the URL a client sent, its query string or free text that may
# quote a request: a phone number in `DELETE /dnc/%2B14155550313` would be logged whole.
_URL_OR_FREE_TEXT = ("$context.path", "$context.http.path", "$context.customDomain.basePathMatched",
                     "$context.integrationErrorMessage", "$context.integration.error", "$context.authorizer.error",
                     "$context.error.messageString", "$context.domainPrefix")


def test_access_logs_name_the_route_template_never_the_path_or_query(synthesis: Synthesis) -> None:
    _, stage = synthesis.the_one("AWS::ApiGatewayV2::Stage")
    log_format = stage["Properties"]["AccessLogSettings"]["Format"]
    fields = json.loads(log_format)
    assert fields["routeKey"] == "$context.routeKey"  # "DELETE /dnc/{phone_e164}", "$default" for unknown paths
    assert not [variable for variable in _URL_OR_FREE_TEXT if variable in log_format]
    assert "query" not in log_format.lower() and "path" not in log_format.lower()


def test_stack_outputs_the_api_url(synthesis: Synthesis) -> None:
    api_id, _ = synthesis.the_one("AWS::ApiGatewayV2::Api")
    url_parts = synthesis.outputs["ApiUrl"]["Value"]["Fn::Join"][1]
    assert url_parts[:3] == ["https://", {"Ref": api_id}, ".execute-api."]
