"""The dependencies that decide a caller's access to the case in the path (own, or shared with one of their teams),
so each case route states what it needs and gets the owner's key to read and write under."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request

from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.teams.service import CaseGrant, CaseNeed


def _grant(need: CaseNeed) -> Callable[..., CaseGrant]:
    def resolve(case_id: Annotated[str, Path(min_length=1, max_length=128)], request: Request,
                principal: CurrentPrincipal, container: ContainerDep) -> CaseGrant:
        route = getattr(request.scope.get("route"), "path", request.url.path)
        return container.team_service.case_access(principal, case_id, need, f"{request.method} {route}")

    return resolve


ReadableCase = Annotated[CaseGrant, Depends(_grant("read"))]  # the owner, or a member of a team it is shared with
WritableCase = Annotated[CaseGrant, Depends(_grant("write"))]  # the owner, or a contributor (403 for a viewer)
OwnedCase = Annotated[CaseGrant, Depends(_grant("own"))]  # the owner only (403 for those who may read it)
