"""Creating and editing a cohort: the builder, the JSON editor, and saving.

The form posts back to itself with an ``action``: ``save``, ``estimate``
(predict the size from the last 30 days of collected events, as ``POST
/api/v1/cohorts/preview`` does), or a builder step (add or remove a
condition, add a filter row, switch to JSON and back). The steps only
re-render the form, so the builder works without JavaScript. Saving goes
through the store, where the engine validates the definition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fastapi import APIRouter, Request, Response

from cohortcast.collection.ingest import Collector
from cohortcast.collection.sizes import PREVIEW_MAX_EVENTS, Prediction, predict_size
from cohortcast.store import cohorts
from cohortcast.store.errors import InvalidValueError
from cohortcast.web.dashboard.cohort_builder import (
    COUNT_OPS,
    FILTER_OPS,
    WINDOW_UNITS,
    Builder,
    Condition,
    FilterRow,
    builder_from_definition,
    builder_from_form,
    definition_from_builder,
    error_field,
    pretty_json,
)
from cohortcast.web.dashboard.forms import Submission, SubmissionDep, ViewerDep
from cohortcast.web.dashboard.rendering import (
    DashboardRoute,
    redirect,
    render,
    store_of,
)
from cohortcast.web.dashboard.sessions import Viewer

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

NOT_BUILDABLE = (
    "This definition uses shapes the builder cannot show (sums, cohort references "
    "or nesting); keep editing it as JSON."
)


@dataclass
class CohortForm:
    """What the form shows: fields as typed, the editor in use, the errors."""

    name: str = ""
    description: str = ""
    mode: str = "builder"
    builder: Builder = field(default_factory=Builder)
    definition_json: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    estimating: bool = False
    estimate: Prediction | None = None


@router.get("/cohorts/new")
def new_form(request: Request, viewer: ViewerDep) -> Response:
    """An empty builder with one condition."""
    return _render(request, viewer, CohortForm(), cohort_id=None)


@router.post("/cohorts/new")
def create(request: Request, submission: SubmissionDep) -> Response:
    """A builder step, or save the new cohort."""
    return _submit(request, submission, cohort_id=None)


@router.get("/cohorts/{cohort_id}/edit")
def edit_form(request: Request, cohort_id: str, viewer: ViewerDep) -> Response:
    """The cohort in the builder when it fits, otherwise in the JSON editor."""
    with store_of(request).read() as session:
        cohort = cohorts.get_cohort(session, viewer.workspace_id, cohort_id)
        form = CohortForm(name=cohort.name, description=cohort.description)
        definition = cohort.definition
    builder = builder_from_definition(definition)
    if builder is None:
        form.mode = "json"
        form.definition_json = pretty_json(definition)
    else:
        form.builder = builder
    return _render(request, viewer, form, cohort_id=cohort_id)


@router.post("/cohorts/{cohort_id}/edit")
def update(request: Request, cohort_id: str, submission: SubmissionDep) -> Response:
    """A builder step, or save the changes."""
    return _submit(request, submission, cohort_id=cohort_id)


def _submit(
    request: Request, submission: Submission, cohort_id: str | None
) -> Response:
    fields = submission.fields()
    form = CohortForm(
        name=fields.get("name", ""),
        description=fields.get("description", ""),
        mode="json" if fields.get("mode") == "json" else "builder",
        builder=builder_from_form(fields),
        definition_json=fields.get("definition_json", ""),
    )
    action = fields.get("action", "save")
    if action == "estimate":
        _estimate(request, submission.viewer, form)
        status = 422 if form.errors else 200
        return _render(request, submission.viewer, form, cohort_id, status=status)
    if action != "save":
        _apply_step(form, action)
        return _render(request, submission.viewer, form, cohort_id)

    definition = _definition(form)
    if form.errors:
        return _render(request, submission.viewer, form, cohort_id, status=422)
    try:
        saved_id, code = _save(request, submission.viewer, form, definition, cohort_id)
    except InvalidValueError as error:
        form.errors[_error_place(form, error.path)] = str(error)
        return _render(request, submission.viewer, form, cohort_id, status=422)
    verb = "created" if cohort_id is None else "saved"
    return redirect(request, f"/cohorts/{saved_id}", f"Cohort {code} {verb}.")


def _estimate(request: Request, viewer: Viewer, form: CohortForm) -> None:
    """Predict the size of the definition as typed, or mark what is wrong."""
    form.estimating = True
    definition = _definition(form)
    if form.errors:
        return
    collector: Collector = request.app.state.collector
    with store_of(request).read() as session:
        try:
            form.estimate = predict_size(
                session, viewer.workspace_id, definition, collector.clock()
            )
        except InvalidValueError as error:
            form.errors[_error_place(form, error.path)] = str(error)


def _apply_step(form: CohortForm, action: str) -> None:
    conditions = form.builder.conditions
    step, _, index_text = action.rpartition("-")
    index = int(index_text) if index_text.isdigit() else -1
    if action == "add-condition":
        conditions.append(Condition())
    elif step == "remove-condition" and 0 <= index < len(conditions) > 1:
        del conditions[index]
    elif step == "add-filter" and 0 <= index < len(conditions):
        conditions[index].filters.append(FilterRow())
    elif action == "to-json":
        form.mode = "json"
        form.definition_json = pretty_json(definition_from_builder(form.builder))
    elif action == "to-builder":
        definition = _definition(form)
        builder = None if form.errors else builder_from_definition(definition)
        if builder is None:
            form.errors.setdefault("definition_json", NOT_BUILDABLE)
        else:
            form.mode, form.builder = "builder", builder


def _definition(form: CohortForm) -> object:
    if form.mode == "builder":
        return definition_from_builder(form.builder)
    try:
        parsed: object = json.loads(form.definition_json)
    except json.JSONDecodeError as error:
        form.errors["definition_json"] = (
            f"definition: this is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})."
        )
        return None
    except RecursionError:
        form.errors["definition_json"] = (
            "definition: this JSON nests too deeply to read; definitions have a "
            "nesting limit (see docs/cohorts.md)."
        )
        return None
    return parsed


def _save(
    request: Request,
    viewer: Viewer,
    form: CohortForm,
    definition: object,
    cohort_id: str | None,
) -> tuple[str, str]:
    with store_of(request).transaction() as session:
        if cohort_id is None:
            cohort = cohorts.create_cohort(
                session,
                viewer.workspace_id,
                name=form.name,
                description=form.description,
                definition=definition,
            )
        else:
            cohort = cohorts.update_cohort(
                session,
                viewer.workspace_id,
                cohort_id,
                name=form.name,
                description=form.description,
                definition=definition,
            )
        return cohort.id, cohort.code


def _error_place(form: CohortForm, path: str | None) -> str:
    if path in ("name", "description"):
        return path
    if form.mode == "json":
        return "definition_json"
    return error_field(path, form.builder)


def _render(
    request: Request,
    viewer: Viewer,
    form: CohortForm,
    cohort_id: str | None,
    status: int = 200,
) -> Response:
    editing = cohort_id is not None
    return render(
        request,
        "cohort_form.html",
        viewer,
        title="Edit cohort" if editing else "New cohort",
        section="cohorts",
        api_twin=f"/api/v1/cohorts/{cohort_id}" if editing else "/api/v1/cohorts",
        status_code=status,
        form=form,
        action_url=f"/cohorts/{cohort_id}/edit" if editing else "/cohorts/new",
        cancel_url=f"/cohorts/{cohort_id}" if editing else "/cohorts",
        filter_ops=FILTER_OPS,
        count_ops=COUNT_OPS,
        window_units=WINDOW_UNITS,
        max_preview_events=PREVIEW_MAX_EVENTS,
    )
