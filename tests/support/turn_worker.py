"""The cloud's turn queue in tests on moto: an SQS queue for the copilot function, and what the SQS event source
does with it — hand the queue's messages to the turn worker function, then delete them — once, or in a background
thread for as long as a test sends turns."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

from faultmaven.container import Container
from functions.copilot.worker_handler import handler
from tests.api.test_knowledge_ingest import LambdaContext


def add_turn_queue(container: Container, **settings: object) -> Container:
    """Give the cloud container its turn queue (and any other settings), as the stack does."""
    sqs = boto3.client("sqs", region_name=container.settings.aws_region)
    url = sqs.create_queue(QueueName=f"{container.settings.table_prefix}-turns")["QueueUrl"]
    container.settings = container.settings.model_copy(update={"turn_queue_url": url, **settings})
    return container


def work_off(container: Container) -> list[dict]:
    """Run the messages waiting on the queue through the worker function; the records it was handed."""
    sqs = boto3.client("sqs", region_name=container.settings.aws_region)
    url = container.settings.turn_queue_url
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
    if records:
        outcome = handler({"Records": records}, LambdaContext(function_name="turn-worker"))
        assert outcome == {"batchItemFailures": []}
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return records


@contextmanager
def queue_worker(container: Container, workers: int = 2) -> Iterator[None]:
    """Cloud containers: a queue and `workers` threads working it off (several Lambdas at once); embedded ones run
    turns in their own pool, so nothing is added."""
    if container.embedded:
        yield
        return
    add_turn_queue(container)
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            if not work_off(container):
                stop.wait(0.05)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
