"""The public API's routes, their integrations and invoke permissions: a nested stack of their own.

CloudFormation refuses a stack of more than 500 resources, and every catalog path costs three routes (the path,
`/api` and `/v1`, `functions.catalog.PATH_ALIASES`): in the main stack the routes took it past 500. A nested
stack has its own 500. CDK passes it the API's id and each function's ARN as parameters; each route creates its
integration and the function's invoke permission in the route's own stack (`HttpRoute` binds its integration
with itself as the scope), so all three kinds land here and the main stack holds only the API, its stage and
the functions.

A route must stay in the stack that created it: moved to another stack, CloudFormation would create it there
before deleting the old one, and API Gateway refuses a second route with the same key (409 ConflictException).
When this stack nears its budget (tests/infra/test_compliance.py), give the next functions' routes a second
routes stack rather than moving existing ones.
"""

from __future__ import annotations

from aws_cdk import NestedStack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from functions.catalog import LambdaFunction


class ApiRoutes(NestedStack):
    def __init__(self, scope: Construct, construct_id: str, *, api: apigwv2.IHttpApi) -> None:
        super().__init__(scope, construct_id, description="CallFunnel: the public API's routes")
        self._api = api

    def serve(self, spec: LambdaFunction, function: lambda_.IFunction) -> None:
        """Route every route key of `spec` (and `$default` if it serves unmatched routes) to `function`."""
        # One integration per function; one invoke permission for the whole API instead of one per
        # route keeps the function's resource policy and the template small as the catalog grows.
        integration = HttpLambdaIntegration(
            f"{spec.name}-integration", function, scope_permission_to_route=False
        )
        for route in spec.routes:
            for route_key in route.route_keys:
                method, path = route_key.split(" ", 1)
                apigwv2.HttpRoute(
                    self,
                    route_key,
                    http_api=self._api,
                    route_key=apigwv2.HttpRouteKey.with_(path, apigwv2.HttpMethod(method)),
                    integration=integration,
                )
        if spec.serves_unmatched_routes:
            # A route-scoped permission: the API-wide one ("<api>/*/*/*") does not match the
            # "<api>/<stage>/$default" source ARN of the catch-all route.
            apigwv2.HttpRoute(
                self,
                "$default",
                http_api=self._api,
                route_key=apigwv2.HttpRouteKey.DEFAULT,
                integration=HttpLambdaIntegration(f"{spec.name}-unmatched-integration", function),
            )
