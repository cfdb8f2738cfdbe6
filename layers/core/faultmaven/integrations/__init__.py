"""Alert webhooks in (Alertmanager, PagerDuty, a generic shape) and notifications out (Slack, PagerDuty)."""
