"""Turns in the cloud: the copilot function queues each turn, a worker function runs it, the job store records it.

A Lambda cannot keep working after it answers, so the function that accepts a turn records the job, keeps the turn's
input beside the evidence (S3: it may carry a 10 MB file, past SQS's 256 KB message limit) and sends the job's id to
the queue. It then watches the record for up to `turn_sync_seconds` and answers the result, or 202 with the Location
to poll. The worker (functions/copilot/worker_handler.py) runs the same turn the embedded pool runs. A message the
worker could not finish is retried by the queue, then dead-lettered; its job is reported interrupted once it is older
than `expiry_seconds` (the queue's retries all spent).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from faultmaven.auth.service import Principal
from faultmaven.clock import now
from faultmaven.copilot.inputs import TurnFile, TurnInput
from faultmaven.copilot.jobs import TurnOrder, Work, find, interrupted, job_view, new_job, record, run_job
from faultmaven.http.logging import logger
from faultmaven.ports.blobs import BlobStore
from faultmaven.ports.jobs import FINAL_STATUSES, JobStore

INPUT_PREFIX = "turn-jobs"
# Makes the work of a queued turn from what the request left.
WorkFor = Callable[[TurnOrder], Work]


def _input_key(owner_id: str, job_id: str) -> str:
    return f"{INPUT_PREFIX}/{owner_id}/{job_id}.json"


def dump_request(order: TurnOrder) -> bytes:
    fields = asdict(order)
    if order.turn.file is not None:
        fields["turn"]["file"]["data"] = base64.b64encode(order.turn.file.data).decode()
    return json.dumps(fields).encode()


def load_request(data: bytes) -> TurnOrder:
    raw = json.loads(data)
    who = raw["principal"]
    fields = raw["turn"]
    if fields.get("file"):
        fields["file"] = TurnFile(**{**fields["file"], "data": base64.b64decode(fields["file"]["data"])})
    return TurnOrder(**{**raw, "principal": Principal(**{**who, "roles": tuple(who["roles"])}),
                        "turn": TurnInput(**fields)})


class QueuedTurns:
    def __init__(self, store: JobStore, blobs: BlobStore, send: Callable[[str], None], expiry_seconds: float) -> None:
        self.store = store
        self.blobs = blobs
        self.send = send
        self.expiry = timedelta(seconds=expiry_seconds)

    def submit(self, order: TurnOrder) -> str:
        """Record the job under its sender (who polls it), keep its input, queue its id."""
        job = new_job(order.principal.user_id, order.case_id)
        input_key = _input_key(job.owner_id, job.job_id)
        self.blobs.put(input_key, dump_request(order), "application/json")
        self.store.create(job)
        try:
            self.send(json.dumps({"job_id": job.job_id, "owner_id": job.owner_id}))
        except Exception:  # never queued: end the job and drop its input, the client is told to send it again
            record(self.store, job, status="failed", error={"message": "the turn could not be queued",
                                                            "code": "TURN_NOT_QUEUED", "status": "503"})
            self.blobs.delete(input_key)
            raise
        return job.job_id

    def poll(self, owner_id: str, case_id: str, job_id: str) -> tuple[int, dict[str, Any]]:
        job = find(self.store, owner_id, case_id, job_id)
        expired = job.status not in FINAL_STATUSES and now() - datetime.fromisoformat(job.created_at) > self.expiry
        return job_view(interrupted(job, "the worker stopped") if expired else job)

    async def wait(self, owner_id: str, case_id: str, job_id: str, timeout: float) -> tuple[int, dict[str, Any]]:
        """Poll the job until it ends or `timeout` seconds pass (backing off from 0.1 s to 1 s between reads)."""
        loop = asyncio.get_running_loop()
        deadline, delay = loop.time() + timeout, 0.1
        while True:
            status, body = await asyncio.to_thread(self.poll, owner_id, case_id, job_id)
            left = deadline - loop.time()
            if status == 200 or left <= 0:
                return status, body
            await asyncio.sleep(min(delay, left))
            delay = min(delay * 1.5, 1.0)

    def run(self, message: str, work_for: WorkFor) -> None:
        """The worker's side: run the job a message names, unless it already ended (a redelivered message).
        A turn's own failure is recorded on the job and not raised: retrying it would fail the same way."""
        ids = json.loads(message)
        job = self.store.get(ids["owner_id"], ids["job_id"])
        key = _input_key(ids["owner_id"], ids["job_id"])
        if job is None or job.status in FINAL_STATUSES:
            self.blobs.delete(key)
            return
        order = load_request(self.blobs.get(key))
        try:
            run_job(self.store, job, work_for(order))
        except Exception:  # recorded on the job by run_job; domain errors are the client's to see, not ours to log
            logger.info("queued turn ended failed", extra={"job_id": job.job_id})
        self.blobs.delete(key)
