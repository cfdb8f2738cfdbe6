"""Shared PynamoDB plumbing: table names and endpoints come from settings, bound when the model class is made."""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.models import Model

from faultmaven.settings import Settings

M = TypeVar("M", bound=type[Model])


def bind(model: M, settings: Settings, aggregate: str) -> M:
    """A subclass of `model` whose Meta points at this deployment's table for `aggregate`."""
    meta_attrs: dict[str, Any] = {"table_name": settings.table_name(aggregate), "region": settings.aws_region}
    if settings.aws_endpoint_url:
        meta_attrs["host"] = settings.aws_endpoint_url
    meta = type("Meta", (), meta_attrs)
    return type(model.__name__, (model,), {"Meta": meta})  # type: ignore[return-value]
