"""The notify function: SQS messages, one notification job each → delivered with retries and backoff.

A job that never gets through is kept as a dead letter by the deliverer (and the message is done); a message that
cannot be handled at all fails its batch item, so SQS redelivers it and, after its receive count, moves it to the
dead-letter queue (whose alarm tells the operators)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from faultmaven.container import get_container
from faultmaven.http.logging import logger
from faultmaven.integrations.messages import NotificationJob


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    deliverer = get_container().deliverer
    failures = []
    for record in event.get("Records", []):
        try:
            deliverer.deliver(NotificationJob.model_validate_json(record["body"]))
        except (ValidationError, KeyError):
            logger.warning("notification message is not a job; dropped to the dead-letter queue")
            failures.append({"itemIdentifier": record.get("messageId", "")})
        except Exception as exc:  # the store was down: let SQS try again
            logger.warning("notification delivery failed", extra={"error_type": type(exc).__name__})
            failures.append({"itemIdentifier": record.get("messageId", "")})
    return {"batchItemFailures": failures}
