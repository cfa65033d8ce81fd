"""Reading a submitted dashboard form: session first, CSRF token second.

Views that change something take a :class:`Submission`, so no store
function runs before both checks have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from cohortcast.web.dashboard import csrf
from cohortcast.web.dashboard.sessions import Viewer, require_viewer

ViewerDep = Annotated[Viewer, Depends(require_viewer)]


@dataclass(frozen=True)
class Submission:
    """A checked form: who sent it and its fields."""

    viewer: Viewer
    form: FormData

    def text(self, name: str) -> str:
        """The field's value as text ('' when missing or a file)."""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def texts(self, name: str) -> list[str]:
        """Every value of a repeated field (checkboxes)."""
        return [value for value in self.form.getlist(name) if isinstance(value, str)]

    def fields(self) -> dict[str, str]:
        """All text fields, the last value of each, to re-display the form."""
        return {key: self.text(key) for key in self.form}


async def read_submission(request: Request, viewer: ViewerDep) -> Submission:
    """The form of a signed-in viewer with a valid CSRF token.

    Raises :class:`~cohortcast.web.dashboard.csrf.CsrfRejectedError` otherwise; the
    missing session was already refused by :func:`require_viewer`.
    """
    form = await request.form()
    token = form.get(csrf.FIELD_NAME)
    csrf.check_token(request, viewer, token if isinstance(token, str) else None)
    return Submission(viewer=viewer, form=form)


SubmissionDep = Annotated[Submission, Depends(read_submission)]
