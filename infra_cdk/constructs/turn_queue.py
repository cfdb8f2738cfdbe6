"""The queue of copilot turns: the copilot function sends each turn, the turn worker runs it (SQS event source).

Timeouts nest so that no turn is cut short or run twice at once: the model's timeout over all its attempts stays
under the worker's timeout, which stays under the queue's visibility timeout (6 times it, AWS's guidance for Lambda
event sources), so a message reappears only after the worker that had it has stopped. A message whose attempts all
failed goes to the dead-letter queue, whose alarm calls a human; its job is reported interrupted once older than
every attempt could take (FM_TURN_JOB_EXPIRY_SECONDS).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra_cdk.constructs.alarms import Alarms

MODEL_TIMEOUT_S = 60  # FM_LLM_TIMEOUT_SECONDS of the worker, per attempt
MODEL_RETRIES = 2  # FM_LLM_MAX_RETRIES of the worker
VISIBILITY_PER_WORKER_TIMEOUT = 6
MAX_RECEIVES = 2  # attempts per turn before its message is dead-lettered


class TurnQueue(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, worker: lambda_.Function, worker_timeout_s: int,
                 alarms: Alarms) -> None:
        super().__init__(scope, id)
        visibility = worker_timeout_s * VISIBILITY_PER_WORKER_TIMEOUT
        self.expiry_seconds = visibility * MAX_RECEIVES
        self.dead_letters = sqs.Queue(self, "DeadLetters", queue_name=f"{prefix}-turns-dlq", enforce_ssl=True,
                                      encryption=sqs.QueueEncryption.SQS_MANAGED,
                                      retention_period=Duration.days(14))
        self.queue = sqs.Queue(self, "Queue", queue_name=f"{prefix}-turns", enforce_ssl=True,
                               encryption=sqs.QueueEncryption.SQS_MANAGED,
                               visibility_timeout=Duration.seconds(visibility),
                               retention_period=Duration.seconds(self.expiry_seconds),
                               dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVES,
                                                                     queue=self.dead_letters))
        worker.add_environment("FM_LLM_TIMEOUT_SECONDS", str(MODEL_TIMEOUT_S))
        worker.add_environment("FM_LLM_MAX_RETRIES", str(MODEL_RETRIES))
        worker.add_event_source(sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True))
        alarms.watch_dead_letters("Turns", self.dead_letters)

    def accept_from(self, function: lambda_.Function) -> None:
        """Let `function` queue turns and tell it where, and when a queued turn counts as lost."""
        function.add_environment("FM_TURN_QUEUE_URL", self.queue.queue_url)
        function.add_environment("FM_TURN_JOB_EXPIRY_SECONDS", str(self.expiry_seconds))
        self.queue.grant_send_messages(function)
