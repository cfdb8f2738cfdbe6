"""Messages to an SQS queue (cloud, MiniStack, moto); the client is made on the first send.

A process that only consumes the queue (its event source hands it the messages) needs no URL: only sending does.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from faultmaven.errors import Unavailable
from faultmaven.settings import Settings


class SqsQueue:
    def __init__(self, settings: Settings, url: str | None, setting: str) -> None:
        self.settings = settings
        self.url = url
        self.setting = setting  # the variable that names the queue, for the error when it is unset

    @cached_property
    def client(self) -> Any:
        import boto3  # lazy: keeps boto3 out of cold starts that never send

        return boto3.client("sqs", region_name=self.settings.aws_region, endpoint_url=self.settings.aws_endpoint_url)

    def send(self, body: str) -> None:
        if not self.url:
            raise Unavailable(f"{self.setting} is not set")
        self.client.send_message(QueueUrl=self.url, MessageBody=body)
