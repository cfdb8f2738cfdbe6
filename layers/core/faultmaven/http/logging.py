"""One logger for the whole code base: Powertools Logger (JSON), with the request id on every line."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "faultmaven"),
                level=os.environ.get("FM_LOG_LEVEL", "INFO"))
