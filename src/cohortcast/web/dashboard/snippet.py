"""The snippet page: the SDK tag to paste into the publisher's pages."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from cohortcast.settings import Settings
from cohortcast.store import workspaces
from cohortcast.web.dashboard.forms import ViewerDep
from cohortcast.web.dashboard.rendering import DashboardRoute, render, store_of

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

# The stub queues calls made before the SDK has loaded (docs/sdk.md).
_STUB = (
    "window.cohortcast=window.cohortcast||function(){"
    "(window.cohortcast.q=window.cohortcast.q||[]).push(arguments)};"
)


def snippet_for(server_url: str, sdk_key: str) -> str:
    """The HTML to paste as early in ``<head>`` as possible."""
    return (
        f"<script>\n  {_STUB}\n</script>\n"
        f'<script async src="{server_url}/sdk/v1/cohortcast.js"\n'
        f'        data-sdk-key="{sdk_key}"></script>'
    )


@router.get("/snippet")
def snippet_page(request: Request, viewer: ViewerDep) -> Response:
    """The workspace's snippet with a Copy button."""
    with store_of(request).read() as session:
        workspace = workspaces.get_workspace(session, viewer.workspace_id)
        sdk_key = workspace.sdk_key
    settings: Settings = request.app.state.settings
    server_url = settings.public_url or str(request.base_url).rstrip("/")
    return render(
        request,
        "snippet.html",
        viewer,
        title="Snippet",
        section="settings",
        api_twin="/api/v1/workspace",
        snippet=snippet_for(server_url, sdk_key),
        sdk_key=sdk_key,
        server_url=server_url,
    )
