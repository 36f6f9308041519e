"""The public HTTP API (payload v2): every catalog route, under its path and its `/api` and `/v1` aliases.

The API, its stage and access logs are here, in the main stack (the functions are told its URL); its routes are
in a nested stack of their own (`api_routes.py`: CloudFormation's 500-resource limit per stack).
"""

from __future__ import annotations

import json

import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.catalog import LambdaFunction
from infra_cdk.constructs.api_routes import ApiRoutes
from infra_cdk.nag import acknowledge

THROTTLE = apigwv2.ThrottleSettings(rate_limit=50, burst_limit=100)
ACCESS_LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# One JSON object per request, with HTTP API context variables only. Never a phone number: paths carry
# them (`DELETE /dnc/%2B14155550313`, `/telephony/.../{call_id}`), so the log names the route template
# (`$context.routeKey`, e.g. "DELETE /dnc/{phone_e164}"; "$default" for unknown paths), never the raw
# path or query string; no integration error text either (it may quote the function's exception).
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "sourceIp": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationStatus": "$context.integration.integrationStatus",
    "error": "$context.error.message",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    """`IAccessLogSettings` is a jsii interface, not a struct: Python implements it with a class."""

    def __init__(
        self, *, destination: apigwv2.IAccessLogDestination, format: apigateway.AccessLogFormat
    ) -> None:
        self._destination = destination
        self._format = format

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return self._format


class PublicHttpApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, log_key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(
            self, "Api", description="CallFunnel public API", create_default_stage=False
        )
        access_logs = logs.LogGroup(self, "AccessLogs", retention=ACCESS_LOG_RETENTION, encryption_key=log_key)
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=THROTTLE,
            access_log_settings=_AccessLogSettings(
                destination=apigwv2.LogGroupLogDestination(access_logs),
                format=apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
            ),
        )
        acknowledge(
            self,
            "AwsSolutions-APIG4",
            "Authentication is done in the functions (API keys, JWT bearer tokens, session cookies) "
            "because public routes (signup, login, webhooks, health) share the API with private ones; "
            "every route's policy is enforced by the resolver before the route runs.",
        )
        # A child of this construct: the acknowledgment above covers its routes too.
        self.routes = ApiRoutes(self, "Routes", api=self.api)

    @property
    def endpoint(self) -> str:
        """The base URL without a trailing slash, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com."""
        return self.api.api_endpoint

    @property
    def url(self) -> str:
        return self.stage.url

    def serve(self, spec: LambdaFunction, function: lambda_.IFunction) -> None:
        """Route every route key of `spec` (and `$default` if it serves unmatched routes) to `function`."""
        self.routes.serve(spec, function)
