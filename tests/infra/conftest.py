"""Synthesize the CDK stack offline, once per configuration per test session."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Without the `cdk` extra (pip install -e '.[cdk]') nothing here can run: collect no test rather than fail.
collect_ignore_glob = [] if importlib.util.find_spec("aws_cdk") else ["test_*.py"]
if not collect_ignore_glob:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra_cdk.app import build

Synth = Callable[..., tuple[Any, Any]]  # (FaultMavenStack, Template)


@pytest.fixture(scope="session")
def placeholder_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stand-ins for scripts/build_layers.py's output: the template only needs the asset folders to exist."""
    root = tmp_path_factory.mktemp("lambda-build")
    for part in ("deps/python", "core/python/faultmaven", "functions/functions", "embedder/python"):
        (root / part).mkdir(parents=True)
        (root / part / "__init__.py").write_text("")
    return root


@pytest.fixture(scope="session")
def synth(placeholder_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    cache: dict[tuple[tuple[str, Any], ...], tuple[Any, Any]] = {}

    def _synth(**context: Any) -> tuple[Any, Any]:
        key = tuple(sorted(context.items()))
        if key not in cache:
            outdir = tmp_path_factory.mktemp("cdk.out")
            app = cdk.App(outdir=str(outdir), context={"build_dir": str(placeholder_build), **context})
            stack = build(app)
            cache[key] = (stack, Template.from_stack(stack))
        return cache[key]

    return _synth


@pytest.fixture(scope="session")
def dev(synth: Synth) -> tuple[Any, Any]:
    return synth()


OIDC_ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
# One synth for the non-default switches: SSO issuer, no OpenSearch (MiniStack), keys put by hand.
ALTERNATE = {"oidc_issuer": OIDC_ISSUER, "oidc_audience": "client123", "vector_index": "none", "generate_keys": "false"}


@pytest.fixture(scope="session")
def alternate(synth: Synth) -> Template:
    return synth(**ALTERNATE)[1]


@pytest.fixture(scope="session")
def template(dev: tuple[Any, Any]) -> Template:
    return dev[1]
