"""The Lambda entry point shared by every function: Mangum around the app, with Powertools observability."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics, Tracer
from fastapi import FastAPI
from mangum import Mangum

from faultmaven.http.logging import logger


def make_handler(app: FastAPI, service: str) -> Any:
    tracer = Tracer(service=service)
    metrics = Metrics(namespace="FaultMaven", service=service)
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi(event, context)

    return handler
