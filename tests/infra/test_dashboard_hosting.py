"""The dashboard in the cloud: a private bucket behind CloudFront (OAC), its files, config.js, CORS for its origin."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from faultmaven.settings import Settings
from infra_cdk.config import StackConfig

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "local" / "dashboard"
DOMAIN = "d111example.cloudfront.net"  # stands in for the distribution's DomainName in resolved values


def _one(template: Template, kind: str) -> tuple[str, dict]:
    (item,) = template.find_resources(kind).items()
    return item


def _dashboard_bucket(template: Template) -> tuple[str, dict]:
    (item,) = [(i, b) for i, b in template.find_resources("AWS::S3::Bucket").items() if i.startswith("DashboardBucket")]
    return item


def _render(value: Any, distribution_id: str) -> str:
    """A value built with Fn::Join, the distribution's DomainName replaced by DOMAIN."""
    if isinstance(value, str):
        return value
    if value == {"Fn::GetAtt": [distribution_id, "DomainName"]}:
        return DOMAIN
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_render(p, distribution_id) for p in parts)
    raise AssertionError(f"unexpected value {value}")


EXTRA_ORIGINS = ["https://a.example.com", "https://b.example.com"]


@pytest.fixture(scope="module")
def without(synth: Any) -> Template:
    """No dashboard, two extra web origins (`-c cors_origins=...`)."""
    return synth(dashboard="false", cors_origins=",".join(EXTRA_ORIGINS))[1]


def test_bucket_is_private_encrypted_and_tls_only(template: Template) -> None:
    _, bucket = _dashboard_bucket(template)
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    assert "WebsiteConfiguration" not in props  # served by CloudFront only, never as an S3 website
    assert bucket["DeletionPolicy"] == "Delete"  # dev; prod below


def test_bucket_policy_admits_only_this_distribution(template: Template) -> None:
    bucket_id, _ = _dashboard_bucket(template)
    distribution_id, _ = _one(template, "AWS::CloudFront::Distribution")
    (policy,) = [p for p in template.find_resources("AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": bucket_id}]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source_arn = json.dumps(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert ":distribution/" in source_arn and json.dumps({"Ref": distribution_id}) in source_arn
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_distribution_serves_the_bucket_over_https_with_oac_and_the_headers(template: Template) -> None:
    bucket_id, _ = _dashboard_bucket(template)
    oac_id, oac = _one(template, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    headers_id, _ = _one(template, "AWS::CloudFront::ResponseHeadersPolicy")
    _, distribution = _one(template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": headers_id}
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert not origin["S3OriginConfig"].get("OriginAccessIdentity")  # OAC, not the legacy OAI


def test_headers_repeat_the_pages_csp_and_forbid_framing(template: Template) -> None:
    meta = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"',
                     (DASHBOARD / "index.html").read_text()).group(1)
    _, policy = _one(template, "AWS::CloudFront::ResponseHeadersPolicy")
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert csp.startswith(meta.rstrip(";"))
    assert csp.endswith("; frame-ancestors 'none'")
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def _staged(stack: Any, key: str) -> Path:
    """The cloud assembly's staged folder of an asset, by the object key the template names."""
    return Path(stack.node.root.outdir) / f"asset.{key.removesuffix('.zip')}"


def test_deployment_carries_the_app_and_a_config_js_with_the_api_url(dev: tuple[Any, Template]) -> None:
    stack, template = dev
    bucket_id, _ = _dashboard_bucket(template)
    distribution_id, _ = _one(template, "AWS::CloudFront::Distribution")
    _, deployment = _one(template, "Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    assert props["DestinationBucketName"] == {"Ref": bucket_id}
    assert props["DistributionId"] == {"Ref": distribution_id} and props["DistributionPaths"] == ["/*"]
    assert "max-age=0" in props["SystemMetadata"]["cache-control"]  # browsers revalidate every file
    app_key, config_key = props["SourceObjectKeys"]
    app = _staged(stack, app_key)
    shipped = {p.relative_to(app).as_posix() for p in app.rglob("*") if p.is_file()}
    expected = {p.relative_to(DASHBOARD).as_posix() for p in DASHBOARD.rglob("*") if p.is_file()} - {"config.js"}
    assert shipped == expected and {"index.html", "app.js", "js/api.js"} <= shipped
    config_js = (_staged(stack, config_key) / "config.js").read_text()
    (marker,) = props["SourceMarkers"][1]
    assert config_js == f'window.FAULTMAVEN_CONFIG = {{ apiBaseUrl: "{marker}" }};\n'
    assert props["SourceMarkers"][1][marker] == {"Fn::GetAtt": [_one(template, "AWS::ApiGatewayV2::Api")[0],
                                                                 "ApiEndpoint"]}


def test_functions_allow_the_dashboard_origin(template: Template, monkeypatch: pytest.MonkeyPatch) -> None:
    distribution_id, _ = _one(template, "AWS::CloudFront::Distribution")
    functions = [f["Properties"] for f in template.find_resources("AWS::Lambda::Function").values()
                 if str(f["Properties"].get("FunctionName", "")).startswith("faultmaven-dev-")]
    assert functions
    for props in functions:
        env = props["Environment"]["Variables"]
        origins = _render(env["FM_CORS_ORIGINS"], distribution_id)
        assert _render(env["FM_DASHBOARD_URL"], distribution_id) == f"https://{DOMAIN}/"
        monkeypatch.setenv("FM_CORS_ORIGINS", origins)  # what the function's Settings will parse
        assert Settings().cors_origins == [f"https://{DOMAIN}"]


def test_dashboard_url_output(template: Template) -> None:
    distribution_id, _ = _one(template, "AWS::CloudFront::Distribution")
    output = template.find_outputs("DashboardUrl")["DashboardUrl"]["Value"]
    assert _render(output, distribution_id) == f"https://{DOMAIN}/"


def test_prod_keeps_the_bucket_and_its_files(synth: Any) -> None:
    template = synth(stage="prod", vector_index="s3vectors")[1]  # the nag test's prod synth
    _, bucket = _dashboard_bucket(template)
    assert bucket["DeletionPolicy"] == "Retain"
    template.has_resource_properties("Custom::CDKBucketDeployment", {"RetainOnDelete": True})


def test_the_flag_turns_it_all_off(without: Template) -> None:
    for kind in ("AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl",
                 "AWS::CloudFront::ResponseHeadersPolicy", "Custom::CDKBucketDeployment"):
        without.resource_count_is(kind, 0)
    assert not any(i.startswith("Dashboard") for i in without.find_resources("*"))
    assert "DashboardUrl" not in without.find_outputs("*")
    functions = without.find_resources("AWS::Lambda::Function", {
        "Properties": {"FunctionName": Match.string_like_regexp("^faultmaven-dev-")}})
    assert functions
    for function in functions.values():
        env = function["Properties"]["Environment"]["Variables"]
        assert "FM_DASHBOARD_URL" not in env
        assert json.loads(env["FM_CORS_ORIGINS"]) == EXTRA_ORIGINS  # a JSON list, as Settings parses it


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("false", False), (False, False), ("true", True)])
def test_context_flag(value: Any, expected: bool) -> None:
    context = {"dashboard": value}
    assert StackConfig.from_context(context.get).dashboard is expected


def test_the_emulator_deploy_turns_it_off() -> None:
    script = (ROOT / "local" / "compose" / "deploy.sh").read_text()
    assert "-c dashboard=false" in script
