"""``GET /api/v1/workspace``: the caller's workspace and its SDK key."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from cohortcast.store import workspaces
from cohortcast.web.api.auth import CallerDep

router = APIRouter(tags=["workspace"])


class WorkspaceOut(BaseModel):
    """The workspace; ``sdk_key`` goes into the page snippet."""

    id: str
    name: str
    sdk_key: str


@router.get("/workspace")
def get_workspace(caller: CallerDep) -> WorkspaceOut:
    """The workspace the token belongs to."""
    with caller.store.read() as session:
        workspace = workspaces.get_workspace(session, caller.workspace_id)
        return WorkspaceOut(
            id=workspace.id, name=workspace.name, sdk_key=workspace.sdk_key
        )
