"""The Lambda entry point shared by every function: Mangum around the app, with Powertools observability.

Cold start matters here: Powertools' Tracer imports the X-Ray SDK and botocore (~0.4 s), so it is built only when
tracing is on, on the first invocation rather than at import. The logger is light. (No Powertools Metrics: no code
emits a custom metric; Lambda's and API Gateway's own metrics feed the alarms.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from faultmaven.http.logging import logger

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def tracing_enabled() -> bool:
    """Powertools' own switch (the stack sets it off against emulators, which have no X-Ray)."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true")


def make_handler(app: FastAPI, service: str) -> Handler:
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    @logger.inject_lambda_context(clear_state=True)
    def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi(event, context)

    handle: list[Handler] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if not handle:
            handle.append(_traced(observed, service) if tracing_enabled() else observed)
        return handle[0](event, context)

    return handler


def _traced(inner: Handler, service: str) -> Handler:
    from aws_lambda_powertools import Tracer

    return Tracer(service=service).capture_lambda_handler(inner, capture_response=False)
