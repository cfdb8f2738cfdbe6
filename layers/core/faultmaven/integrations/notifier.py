"""Turns a case event into notification jobs for the scope's configured channels and hands them to a dispatcher:
a thread pool on the embedded server, an SQS queue in the cloud (its consumer runs the same `Deliverer`). A
notification never fails the request that caused it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from faultmaven.cases.model import Case
from faultmaven.clock import new_id
from faultmaven.http.logging import logger
from faultmaven.integrations.delivery import Deliverer
from faultmaven.integrations.messages import CaseEvent, NotificationJob, case_texts, pagerduty_note, slack_message
from faultmaven.ports.integrations import IntegrationStore
from faultmaven.sanitize import Sanitizer
from faultmaven.settings import Settings

Dispatch = Callable[[NotificationJob], None]


class Notifier:
    def __init__(self, store: IntegrationStore, sanitizer: Sanitizer, dashboard_url: str, dispatch: Dispatch) -> None:
        self.store = store
        self.sanitizer = sanitizer
        self.dashboard_url = dashboard_url
        self.dispatch = dispatch

    def case_event(self, scope_id: str, event: CaseEvent, case: Case, detail: str = "",
                   incident_id: str | None = None) -> list[NotificationJob]:
        """Queue the event's messages for the scope; returns the jobs queued (none when nothing is configured)."""
        try:
            target = self.store.settings(scope_id)
            if target is None:
                return []
            texts = case_texts(self.sanitizer, event, case.title, detail,
                               f"{self.dashboard_url}#/cases/{case.case_id}")
            jobs = []
            if target.slack_webhook_url or (target.slack_bot_token and target.slack_channel):
                jobs.append(NotificationJob(job_id=new_id("job_"), scope_id=scope_id, channel="slack", event=event,
                                            case_id=case.case_id, message=slack_message(texts)))
            if target.pagerduty_api_token and target.pagerduty_from_email and incident_id:
                jobs.append(NotificationJob(job_id=new_id("job_"), scope_id=scope_id, channel="pagerduty",
                                            event=event, case_id=case.case_id, incident_id=incident_id,
                                            message=pagerduty_note(texts)))
            for job in jobs:
                self.dispatch(job)
            return jobs
        except Exception as exc:  # a notification is an aid: the alert's case is what must not fail
            logger.warning("notification not queued", extra={"error_type": type(exc).__name__})
            return []


def thread_dispatch(deliverer: Deliverer, workers: int = 2) -> Dispatch:
    """Embedded: deliver in background threads, so a webhook answers before its notifications are sent."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify")

    def dispatch(job: NotificationJob) -> None:
        pool.submit(deliverer.deliver, job).add_done_callback(_log_failure)

    return dispatch


def _log_failure(future: Future[bool]) -> None:
    """A delivery that raised (its store was unreachable, say) instead of ending delivered or as a dead letter."""
    exc = future.exception()
    if exc is not None:
        logger.error("notification delivery failed", extra={"error_type": type(exc).__name__})


def sqs_dispatch(settings: Settings) -> Dispatch:
    """Cloud: one SQS message per job (FM_NOTIFY_QUEUE_URL); the notify function delivers it."""
    import boto3

    client = boto3.client("sqs", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url)

    def dispatch(job: NotificationJob) -> None:
        client.send_message(QueueUrl=settings.notify_queue_url, MessageBody=job.model_dump_json())

    return dispatch
