"""The dashboard in the cloud: local/dashboard/ as static files in a private bucket, served by CloudFront.

The bucket is reachable only through the distribution (Origin Access Control). `config.js` is written at deploy time
with the HTTP API's URL, since the dashboard's origin (CloudFront) is not the API's. Every file is revalidated by
browsers (`max-age=0`) and cached a day at the edge; each deploy invalidates the edge cache, so a new release is seen
at once and its ES modules never mix with the previous release's.
"""

from __future__ import annotations

import re
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra_cdk.catalog import REPO_ROOT
from infra_cdk.config import StackConfig

DASHBOARD_DIR = REPO_ROOT / "local" / "dashboard"
CONFIG_FILE = "config.js"  # local/dashboard/config.js: the embedded default (same origin), replaced here
_CSP_META = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"', re.IGNORECASE)


def index_csp(index_html: Path = DASHBOARD_DIR / "index.html") -> str:
    """The Content-Security-Policy index.html declares, so the response header cannot drift from it."""
    match = _CSP_META.search(index_html.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{index_html} has no Content-Security-Policy meta tag")
    return match.group(1).strip().rstrip(";")


def config_js(api_url: str) -> str:
    """The deployed `config.js` (the shape js/api.js reads: `window.FAULTMAVEN_CONFIG.apiBaseUrl`)."""
    return f'window.FAULTMAVEN_CONFIG = {{ apiBaseUrl: "{api_url}" }};\n'


class DashboardHosting(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StackConfig, api_url: str) -> None:
        super().__init__(scope, id)
        # The files come from the repository on every deploy, so the bucket keeps no history of its own.
        self.bucket = s3.Bucket(
            self, "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY,
        )
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment="FaultMaven dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self._headers_policy()),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,  # North America and Europe edges: the cheapest
        )
        self.url = f"https://{self.distribution.distribution_domain_name}/"
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        self.deployment = s3deploy.BucketDeployment(
            self, "Files",
            sources=[s3deploy.Source.asset(str(DASHBOARD_DIR), exclude=[CONFIG_FILE]),
                     s3deploy.Source.data(CONFIG_FILE, config_js(api_url))],
            destination_bucket=self.bucket,
            cache_control=[s3deploy.CacheControl.set_public(), s3deploy.CacheControl.max_age(Duration.seconds(0)),
                           s3deploy.CacheControl.s_max_age(Duration.days(1))],
            distribution=self.distribution, distribution_paths=["/*"],
            # dev deletes the files with the stack so its bucket can go too; prod keeps both.
            retain_on_delete=config.prod,
        )
        self._suppress()

    def _headers_policy(self) -> cloudfront.ResponseHeadersPolicy:
        # frame-ancestors is ignored in a <meta> CSP, so only the header can forbid framing.
        return cloudfront.ResponseHeadersPolicy(
            self, "Headers",
            comment="FaultMaven dashboard: CSP of index.html, no framing, nosniff, HSTS",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=f"{index_csp()}; frame-ancestors 'none'", override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True)))

    def _suppress(self) -> None:
        # NagPackSuppression structs: a dict's `applies_to` key would not reach cdk-nag (see stack.py).
        NagSuppressions.add_resource_suppressions(self.bucket, [NagPackSuppression(
            id="AwsSolutions-S1",
            reason="The dashboard bucket holds only the app's static files, written by the deployment; reads go "
                   "through CloudFront, and the API's access logs record what the dashboard does.")])
        NagSuppressions.add_resource_suppressions(self.distribution, [
            NagPackSuppression(id="AwsSolutions-CFR1",
                               reason="The dashboard is for the operator's users wherever they are; no country "
                                      "is excluded."),
            NagPackSuppression(id="AwsSolutions-CFR2",
                               reason="Static files only: the API, with its own throttling and authorizer, is a "
                                      "separate origin; a web ACL's monthly cost is not justified for these files."),
            NagPackSuppression(id="AwsSolutions-CFR3",
                               reason="Access logs of public static files would need a logging bucket with ACLs per "
                                      "deployment; the API's own access logs record what the dashboard does."),
            NagPackSuppression(id="AwsSolutions-CFR4",
                               reason="The default *.cloudfront.net certificate cannot pin a minimum TLS version "
                                      "(only a custom domain's certificate can); the files it serves hold no "
                                      "secrets."),
        ])
        # The deployment's handler (CDK's own, shared by the stack) copies the asset into the bucket, prunes what is
        # gone and invalidates the distribution; CDK writes its policy. Its managed policy and runtime are covered
        # by the stack-wide IAM4 and L1 suppressions.
        NagSuppressions.add_resource_suppressions(self.deployment.handler_role, [NagPackSuppression(
            id="AwsSolutions-IAM5",
            applies_to=["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*",
                        "Action::s3:DeleteObject*", "Action::s3:Abort*", "Resource::*",
                        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
                        RegexAppliesTo(regex="/^Resource::<DashboardBucket[0-9A-F]{8}\\.Arn>\\/\\*$/")],
            reason="The deployment reads its zipped assets from the CDK asset bucket and replaces every object of "
                   "the dashboard bucket; CloudFront invalidations take no resource scope.")],
            apply_to_children=True)
