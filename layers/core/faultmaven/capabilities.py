"""What this deployment offers, as the clients discover it through /api/v1/meta/capabilities."""

from __future__ import annotations

from typing import Any

from faultmaven.settings import Settings


def capabilities(settings: Settings) -> dict[str, Any]:
    return {
        "deploymentMode": settings.effective_deployment_mode,
        "kbManagement": "dashboard",
        "dashboardUrl": settings.effective_dashboard_url,
        "features": {
            "extensionKB": False,  # the knowledge base is managed in the dashboard
            "adminKB": True,
            "teamSharing": True,  # teams, shared cases, team knowledge (docs/TEAMS.md)
            "managementConsole": True,
            "caseHistory": True,
            "sso": bool(settings.oidc_issuer and settings.oidc_client_id),  # /api/v1/auth/sso/* (docs/DEPLOY.md)
            "turnStream": settings.mode == "embedded",  # SSE progress (API Gateway buffers it in the cloud)
            # Ours: alert webhooks in (Alertmanager, PagerDuty, generic), Slack/PagerDuty out (docs/INTEGRATIONS.md).
            "integrations": True,
        },
        "limits": {"maxFileBytes": settings.max_file_bytes, "allowedExtensions": list(settings.allowed_extensions)},
        "branding": {"name": settings.branding_name, "supportUrl": settings.support_url},
        # Ours: which model writes the copilot's answers (none: the rules answer on their own).
        "llm": {"configured": settings.llm_provider != "none", "provider": settings.llm_provider,
                "model": settings.llm_model},
    }
