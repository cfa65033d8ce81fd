"""Management API authentication: ``Authorization: Bearer <token>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cohortcast.store.database import Store
from cohortcast.store.tokens import find_workspace_for_token

# auto_error=False: the 401 and its sentence come from require_token below.
_bearer = HTTPBearer(
    auto_error=False, description="A token from `cohortcast token create`."
)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    """Who is calling: the store to use and the workspace the token belongs to."""

    store: Store
    workspace_id: str


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Resolve the bearer token to its workspace, or answer 401."""
    if credentials is None:
        raise HTTPException(
            status_code=401,
            detail="This endpoint needs 'Authorization: Bearer <token>'; create a "
            "token with 'cohortcast token create --name NAME'.",
            headers=_CHALLENGE,
        )

    store: Store = request.app.state.store
    with store.read() as session:
        workspace = find_workspace_for_token(session, credentials.credentials)
    if workspace is None:
        raise HTTPException(
            status_code=401,
            detail="The bearer token is not valid; create a new one with "
            "'cohortcast token create --name NAME'.",
            headers=_CHALLENGE,
        )
    return Caller(store=store, workspace_id=workspace.id)


CallerDep = Annotated[Caller, Depends(require_token)]
