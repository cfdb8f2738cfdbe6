"""Shared PynamoDB plumbing: table names and endpoints come from settings, bound when the model class is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import botocore.loaders
import botocore.session
import pynamodb.connection.base
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from faultmaven.settings import Settings

M = TypeVar("M", bound=type[Model])

# PynamoDB gives every table's connection a fresh botocore session, and each session parses DynamoDB's service model
# (a large JSON file) again: 13 tables cost seconds of a cold start and of every test's table setup. One loader for
# all of them parses it once per process.
_LOADER = botocore.loaders.create_loader()


def _session_with_shared_loader() -> botocore.session.Session:
    session = botocore.session.get_session()
    session.register_component("data_loader", _LOADER)
    return session


pynamodb.connection.base.get_session = _session_with_shared_loader

# Every model bound in this process, so tests and the local emulators can create the tables the code expects.
_bound: dict[str, type[Model]] = {}


def bind(model: M, settings: Settings, aggregate: str) -> M:
    """A subclass of `model` whose Meta points at this deployment's table for `aggregate`."""
    meta_attrs: dict[str, Any] = {"table_name": settings.table_name(aggregate), "region": settings.aws_region}
    if settings.aws_endpoint_url:
        meta_attrs["host"] = settings.aws_endpoint_url
    meta = type("Meta", (), meta_attrs)
    bound = type(model.__name__, (model,), {"Meta": meta})
    _bound[meta_attrs["table_name"]] = bound
    return bound  # type: ignore[return-value]


def create_bound_tables() -> list[str]:
    """Create (on demand billing) each bound table that does not exist yet; the CDK app does this in the cloud."""
    created = []
    for name, model in _bound.items():
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            created.append(name)
    return created


def conditionally(write: Callable[[], object]) -> bool:
    """Run a conditional write; False when its condition failed (any other error is raised)."""
    try:
        write()
    except PynamoDBException as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        return False
    return True
