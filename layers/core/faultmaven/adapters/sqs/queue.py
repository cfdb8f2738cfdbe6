"""Messages to an SQS queue (cloud, MiniStack, moto); the client is made on the first send."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from faultmaven.settings import Settings


class SqsQueue:
    def __init__(self, settings: Settings, url: str) -> None:
        self.settings = settings
        self.url = url

    @cached_property
    def client(self) -> Any:
        import boto3  # lazy: keeps boto3 out of cold starts that never send

        return boto3.client("sqs", region_name=self.settings.aws_region, endpoint_url=self.settings.aws_endpoint_url)

    def send(self, body: str) -> None:
        self.client.send_message(QueueUrl=self.url, MessageBody=body)
