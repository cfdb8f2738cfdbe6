"""The ingest function: S3 `ObjectCreated` events under `kb/raw/` → extract, chunk, embed, index, set the status.

Each record names one uploaded document (`kb/raw/<document_id>`). Ingestion records its own failures on the document
(status `failed` with the reason), so the handler only raises for errors outside it — then Lambda's retries of the
asynchronous invocation apply, and a run that never finishes is reported failed by the API after the timeout.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from faultmaven.container import get_container
from faultmaven.http.logging import logger
from faultmaven.knowledge.keys import document_id_from_key


def document_ids(event: dict[str, Any]) -> list[str]:
    """The documents an S3 event notification is about (other keys are ignored)."""
    ids = []
    for record in event.get("Records", []):
        key = unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
        document_id = document_id_from_key(key)
        if document_id:
            ids.append(document_id)
    return ids


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, list[str]]:
    ingestor = get_container().ingestor
    outcome: dict[str, list[str]] = {"indexed": [], "failed": [], "gone": []}
    for document_id in document_ids(event):
        doc = ingestor.ingest(document_id)
        outcome["gone" if doc is None else "indexed" if doc.status == "indexed" else "failed"].append(document_id)
    logger.info("knowledge ingestion done", extra={k: len(v) for k, v in outcome.items()})
    return outcome
