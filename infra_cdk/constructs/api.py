"""The HTTP API: one route per path prefix of each function, a JWT authorizer, throttling and access logs.

CORS is answered by the functions, not by API Gateway: the browser extension's origin differs per install
(`chrome-extension://<id>`), HTTP API CORS cannot match it with a pattern, and the contract forbids `*` with
credentials. So every path also gets an OPTIONS route without the authorizer, going to the same function, whose
CORS middleware answers the preflight (an exact method beats ANY on the same path).
"""

from __future__ import annotations

import json

import jsii
from aws_cdk import Fn, RemovalPolicy
from aws_cdk import aws_apigateway as apigw_v1
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra_cdk.catalog import FunctionSpec
from infra_cdk.config import StackConfig

AUDIENCE = "faultmaven-api"  # Settings.jwt_audience: the `aud` of the access tokens the auth function signs


class HttpApi(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, config: StackConfig) -> None:
        super().__init__(scope, id)
        self.config = config
        self.api = apigw.HttpApi(self, "Api", api_name=prefix, create_default_stage=False,
                                 description="FaultMaven HTTP API")
        self.url = self.api.api_endpoint  # the $default stage is served at the root
        if config.aws_endpoint_url:
            # Emulators (MiniStack, LocalStack) also serve an API at <endpoint>/_aws/execute-api/<id>/<stage>/: unlike
            # their `<id>.execute-api.localhost` host names it resolves everywhere, so the token issuer, the JWKS the
            # emulator's JWT authorizer fetches, and the URL clients use are one and the same.
            self.url = Fn.join("", [config.aws_endpoint_url.rstrip("/"), "/_aws/execute-api/", self.api.api_id,
                                    "/$default"])
        access_logs = logs.LogGroup(self, "AccessLogs", retention=_retention(config),
                                    removal_policy=RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY)
        self.stage = apigw.HttpStage(
            self, "DefaultStage", http_api=self.api, stage_name="$default", auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=config.throttle_rate, burst_limit=config.throttle_burst),
            access_log_settings=_AccessLogs(apigw.LogGroupLogDestination(access_logs)))
        # Our own tokens only (issuer = this API's URL, whose /.well-known/openid-configuration the auth function
        # serves), with SSO too: the auth function trades the provider's sign-in for our tokens, so the gateway and
        # every function trust one issuer.
        self.authorizer = authorizers.HttpJwtAuthorizer("JwtAuthorizer", self.url, jwt_audience=[AUDIENCE],
                                                        authorizer_name="faultmaven-jwt")

    def add_function_routes(self, spec: FunctionSpec, function: lambda_.IFunction) -> None:
        # One permission for the whole API rather than one per route keeps the template small.
        integration = integrations.HttpLambdaIntegration(f"{spec.name}-integration", function,
                                                         scope_permission_to_route=False)
        for route in spec.routes:
            methods = [apigw.HttpMethod(m) for m in route.methods]
            self.api.add_routes(path=route.path, methods=methods, integration=integration,
                                authorizer=None if route.public else self.authorizer)
            self.api.add_routes(path=route.path, methods=[apigw.HttpMethod.OPTIONS], integration=integration)


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    """One JSON line per request (no bodies, no Authorization header)."""

    def __init__(self, destination: apigw.IAccessLogDestination) -> None:
        self._destination = destination

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw_v1.AccessLogFormat:
        return apigw_v1.AccessLogFormat.custom(json.dumps({
            "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
            "time": "$context.requestTime", "method": "$context.httpMethod", "path": "$context.path",
            "routeKey": "$context.routeKey", "status": "$context.status", "latencyMs": "$context.responseLatency",
            "integrationError": "$context.integrationErrorMessage", "authorizerError": "$context.authorizer.error"}))


def _retention(config: StackConfig) -> logs.RetentionDays:
    return logs.RetentionDays.ONE_YEAR if config.prod else logs.RetentionDays.ONE_MONTH
