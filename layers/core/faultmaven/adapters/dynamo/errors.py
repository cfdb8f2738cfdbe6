"""Tell a failed condition (a real conflict) from every other DynamoDB failure (throttling, an outage).

A transaction reports its conditions per item in `CancellationReasons`; a throttled or cancelled-for-other-reasons
transaction must not be answered as "already exists". Anything that is not a condition failure is re-raised and
becomes a 503 with Retry-After at the HTTP edge (faultmaven.http.errors).
"""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException, TransactWriteError

CONDITION_FAILED = "ConditionalCheckFailedException"


def is_condition_failure(exc: PynamoDBException) -> bool:
    if isinstance(exc, TransactWriteError):
        reasons = [r for r in (exc.cancellation_reasons or []) if r is not None]
        return bool(reasons) and all(r.code in ("ConditionalCheckFailed", "None") for r in reasons) and any(
            r.code == "ConditionalCheckFailed" for r in reasons)
    return exc.cause_response_code == CONDITION_FAILED
