"""The HTTP API: every function's routes, the authorizer on private ones, and that they cover the real apps."""

from __future__ import annotations

import importlib
import re

import pytest
from aws_cdk.assertions import Match, Template
from fastapi.routing import APIRoute

from infra_cdk.catalog import FUNCTIONS, FunctionSpec
from tests.infra.conftest import OIDC_ISSUER

PRESENT = [spec for spec in FUNCTIONS if spec.present]


def _routes(template: Template) -> dict[str, dict]:
    return {r["Properties"]["RouteKey"]: r["Properties"]
            for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}


def test_meta_and_auth_are_deployed() -> None:
    assert {"meta", "auth"} <= {spec.name for spec in PRESENT}


@pytest.mark.parametrize("spec", PRESENT, ids=lambda s: s.name)
def test_each_route_is_there_with_the_right_authorization(template: Template, spec: FunctionSpec) -> None:
    routes = _routes(template)
    for route in spec.routes:
        for method in route.methods:
            props = routes[f"{method} {route.path}"]
            assert props["AuthorizationType"] == ("NONE" if route.public else "JWT"), route
        # Preflights reach the function (whose CORS middleware answers them) without a token.
        assert routes[f"OPTIONS {route.path}"]["AuthorizationType"] == "NONE"


def test_only_public_routes_skip_the_authorizer(template: Template) -> None:
    public = {"/health", "/v1/meta/{proxy+}", "/api/v1/meta/{proxy+}", "/api/v1/auth/{proxy+}", "/.well-known/{proxy+}",
              "/api/v1/webhooks/{proxy+}"}
    for key, props in _routes(template).items():
        method, path = key.split(" ", 1)
        if props["AuthorizationType"] == "NONE":
            assert method == "OPTIONS" or path in public, key


def test_jwt_authorizer_trusts_this_apis_own_issuer(template: Template) -> None:
    template.has_resource_properties("AWS::ApiGatewayV2::Authorizer", {
        "AuthorizerType": "JWT", "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {"Audience": ["faultmaven-api"],
                             "Issuer": {"Fn::GetAtt": [Match.string_like_regexp("^HttpApi"), "ApiEndpoint"]}}})


def test_with_sso_the_gateway_and_the_functions_still_trust_one_issuer(alternate: Template) -> None:
    """SSO is a token exchange in the auth function: the provider's tokens never reach the authorizer."""
    template = alternate
    ours = {"Fn::GetAtt": [Match.string_like_regexp("^HttpApi"), "ApiEndpoint"]}
    template.has_resource_properties("AWS::ApiGatewayV2::Authorizer", {"JwtConfiguration": {
        "Audience": ["faultmaven-api"], "Issuer": ours}})
    functions = template.find_resources("AWS::Lambda::Function")
    with_sso = {fn["Properties"]["FunctionName"]: fn["Properties"]["Environment"]["Variables"]
                for fn in functions.values()
                if "FM_OIDC_ISSUER" in fn["Properties"].get("Environment", {}).get("Variables", {})}
    assert list(with_sso) == ["faultmaven-dev-auth"]
    assert with_sso["faultmaven-dev-auth"]["FM_OIDC_ISSUER"] == OIDC_ISSUER
    assert with_sso["faultmaven-dev-auth"]["FM_OIDC_CLIENT_ID"] == "client123"


def test_stage_is_throttled_and_logged(template: Template) -> None:
    template.has_resource_properties("AWS::ApiGatewayV2::Stage", {
        "StageName": "$default", "AutoDeploy": True,
        "DefaultRouteSettings": {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
        "AccessLogSettings": Match.object_like({"DestinationArn": Match.any_value()})})


def _pattern(path: str) -> re.Pattern[str]:
    parts = []
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(".+")
        elif segment.startswith("{"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
    return re.compile("^" + "/".join(parts) + "$")


def _gateway_target(path: str) -> str | None:
    """Which function API Gateway picks for `path`: greedy routes last, then the route with more segments, then the
    one with more literal segments (`/cases/{id}/turns/{proxy+}` beats `/cases/{proxy+}`)."""
    candidates = [(("+}" in r.path), -r.path.count("/"), r.path.count("{"), spec.name)
                  for spec in PRESENT for r in spec.routes if _pattern(r.path).match(path)]
    return min(candidates)[-1] if candidates else None


@pytest.mark.parametrize("spec", PRESENT, ids=lambda s: s.name)
def test_every_path_of_the_function_reaches_that_function(spec: FunctionSpec) -> None:
    router = importlib.import_module(f"functions.{spec.name}.routes").router
    paths = {r.path for r in router.routes if isinstance(r, APIRoute)}
    assert paths
    for path in paths:
        # API Gateway sends `/x/` down the route of `/x`: a trailing slash does not change the match.
        concrete = re.sub(r"\{[^}]+\}", "x1", path).rstrip("/") or "/"
        assert _gateway_target(concrete) == spec.name, path


def test_greedy_case_routes_leave_turns_and_evidence_to_their_functions() -> None:
    from infra_cdk.catalog import FUNCTIONS as ALL

    routes = {spec.name: spec.routes for spec in ALL}
    assert any(r.path == "/api/v1/cases/{case_id}/turns/{proxy+}" for r in routes["copilot"])
    assert any(r.path == "/api/v1/cases/{case_id}/uploaded-files" for r in routes["evidence"])
