"""Alarms on what needs a human: API 5xx, function errors and throttles, dead-lettered messages."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class Alarms(Construct):
    def __init__(self, scope: Construct, id: str, *, alarm_email: str | None) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(self, "Topic", display_name="FaultMaven alarms", enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self._action = actions.SnsAction(self.topic)

    def alarm(self, id: str, metric: cloudwatch.Metric, threshold: float, description: str) -> None:
        alarm = cloudwatch.Alarm(self, id, metric=metric, threshold=threshold, evaluation_periods=1,
                                 comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                                 treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                                 alarm_description=description)
        alarm.add_alarm_action(self._action)

    def watch_api(self, api: apigw.HttpApi) -> None:
        self.alarm("Api5xx", api.metric_server_error(period=Duration.minutes(5), statistic="Sum"), 5,
                   "The HTTP API answered 5xx at least 5 times in 5 minutes")

    def watch_function(self, name: str, function: lambda_.Function) -> None:
        period = Duration.minutes(5)
        self.alarm(f"{name}Errors", function.metric_errors(period=period, statistic="Sum"), 3,
                   f"The {name} function failed at least 3 times in 5 minutes")
        self.alarm(f"{name}Throttles", function.metric_throttles(period=period, statistic="Sum"), 1,
                   f"The {name} function was throttled")

    def watch_dead_letters(self, name: str, queue: sqs.Queue) -> None:
        self.alarm(f"{name}DeadLetters", queue.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(5), statistic="Maximum"), 1,
            f"A message of the {name} queue failed every attempt and waits in its dead-letter queue")
