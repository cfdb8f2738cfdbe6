"""The CDK app: `cdk synth` / `cdk deploy` run this (cdk.json points here). Options come from context."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra_cdk.config import StackConfig
from infra_cdk.stack import FaultMavenStack


def build(app: cdk.App) -> FaultMavenStack:
    config = StackConfig.from_context(app.node.try_get_context)
    # No account lookup at synth: the stack is environment-agnostic, so synth works offline.
    stack = FaultMavenStack(app, f"FaultMaven-{config.stage}", config=config,
                            description="FaultMaven: AI troubleshooting copilot (HTTP API, Lambda, DynamoDB, S3)")
    cdk.Tags.of(stack).add("app", "faultmaven")
    cdk.Tags.of(stack).add("stage", config.stage)
    if app.node.try_get_context("nag") not in (False, "false"):
        cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return stack


def main() -> None:
    app = cdk.App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
