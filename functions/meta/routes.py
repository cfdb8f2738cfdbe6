"""Health and capabilities: what the clients call first to learn how this deployment is set up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from faultmaven import __version__
from faultmaven.capabilities import capabilities
from faultmaven.http.auth import ContainerDep

router = APIRouter(tags=["meta"])


@router.get("/health")
def health(container: ContainerDep) -> JSONResponse:
    """Liveness plus a probe of each dependency; 503 when one is down."""
    checks: dict[str, Any] = {}
    for name, probe in container.health_checks().items():
        try:
            probe()
            checks[name] = {"status": "ok"}
        except Exception as exc:  # a health probe reports failures rather than raising them
            checks[name] = {"status": "error", "error": type(exc).__name__}
    healthy = all(c["status"] == "ok" for c in checks.values())
    body = {"status": "healthy" if healthy else "unhealthy", "version": __version__,
            "mode": container.settings.mode, "dependencies": checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/api/v1/meta/capabilities")
def get_capabilities(container: ContainerDep) -> dict[str, Any]:
    return capabilities(container.settings)


@router.get("/v1/meta/capabilities", deprecated=True)
def get_capabilities_legacy(container: ContainerDep) -> dict[str, Any]:
    """Kept for installed extensions that still call the old path."""
    return capabilities(container.settings)
