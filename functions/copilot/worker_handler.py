"""The turn worker: SQS messages from the copilot function → run each queued turn → its job record ends.

A turn's own failure ends its job `failed` (the client reads why by polling). Only an error outside the turn (the
job store or the bucket unreachable) is reported as the message's failure, so the queue retries that message alone
and dead-letters it after its last attempt.
"""

from __future__ import annotations

from typing import Any

from faultmaven.container import get_container
from faultmaven.copilot.jobs import TurnOrder, Work, turn_work
from faultmaven.http.logging import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    container = get_container()

    def work_for(order: TurnOrder) -> Work:
        return turn_work(container.idempotency, container.turns, order)

    failures = []
    for record in event.get("Records", []):
        try:
            container.turn_jobs.run(record["body"], work_for)
        except Exception:
            logger.exception("queued turn not run", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
