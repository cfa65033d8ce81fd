"""Group "Wrong Tag ID": the routing as browsers get it, and the mistakes
that send a cohort to the wrong place or twice to the same one."""

from __future__ import annotations

from cohortcast.diagnostics._facts import ActivationFacts, Snapshot
from cohortcast.diagnostics._model import Check, Status
from cohortcast.diagnostics._typos import likely_typos
from cohortcast.diagnostics._wording import quoted_list

EDIT_ACTIVATION = "Open Cohort Activation and edit activation"


def routing_checks(snapshot: Snapshot) -> list[Check]:
    """The effective routing, then one check per kind of mistake."""
    if snapshot.integration is None:
        return []
    return [
        _effective_routing(snapshot),
        _alternative_equals_default(snapshot),
        _routed_twice(snapshot),
        _likely_typos(snapshot),
    ]


def _check(
    id_: str, title: str, status: Status, evidence: str, fix: str | None
) -> Check:
    return Check(id_, "routing", title, status, evidence, fix)


def describe_activation(snapshot: Snapshot, activation: ActivationFacts) -> str:
    """One activation's effective routing, a blank Tag ID shown as its default."""
    name = (
        "The default activation (the cohort pages' toggle)"
        if activation.is_default
        else f"Activation '{activation.id}'"
    )
    if activation.is_default:
        target = f"the default Tag ID {activation.effective_tag_id}"
    elif activation.tag_id is None:
        target = f"a blank Tag ID, so the default {activation.effective_tag_id}"
    else:
        target = f"Tag ID {activation.effective_tag_id}"
    labels = [snapshot.cohort_label(code) for code in activation.cohort_codes]
    codes = ", ".join(labels) or "no cohort"
    return f"{name} sends {codes} to {target}."


def _effective_routing(snapshot: Snapshot) -> Check:
    routes = [
        f"{route['tag_id']} receives {', '.join(route['cohort_codes'])}"
        for route in snapshot.routing
    ]
    evidence = " ".join(describe_activation(snapshot, a) for a in snapshot.activations)
    evidence += " Browsers get: " + ("; ".join(routes) or "nothing") + "."
    return _check("routing.effective", "Effective routing", "ok", evidence, None)


def _alternative_equals_default(snapshot: Snapshot) -> Check:
    id_ = "routing.alternative_equals_default"
    title = "Alternative Tag IDs differ from the default"
    default = snapshot.integration.tag_id if snapshot.integration else ""
    same = [a.id for a in snapshot.activations if a.tag_id == default]
    if not same:
        return _check(
            id_, title, "ok", "No activation repeats the default Tag ID.", None
        )
    return _check(
        id_,
        title,
        "warning",
        f"Activation {quoted_list(same)} enters the default Tag ID {default} as its "
        "own, so its cohorts go to the default account, probably not what was meant.",
        f"{EDIT_ACTIVATION} {quoted_list(same)}: enter the other account's Tag ID, "
        "or leave it blank if the default account is intended.",
    )


def _routed_twice(snapshot: Snapshot) -> Check:
    id_ = "routing.routed_twice"
    title = "Each cohort routed once per Tag ID"
    seen: dict[tuple[str, str], list[str]] = {}
    for activation in snapshot.activations:
        for code in activation.cohort_codes:
            key = (activation.effective_tag_id, code)
            seen.setdefault(key, []).append(activation.id)
    twice = {key: ids for key, ids in sorted(seen.items()) if len(ids) > 1}
    if not twice:
        return _check(
            id_,
            title,
            "ok",
            "No cohort reaches a Tag ID through two activations.",
            None,
        )
    (tag_id, code), ids = next(iter(twice.items()))
    return _check(
        id_,
        title,
        "warning",
        " ".join(
            f"Cohort {snapshot.cohort_label(c)} goes to Tag ID {t} through "
            f"activations {quoted_list(a)}."
            for (t, c), a in twice.items()
        )
        + " Pinterest gets it once either way, but taking it out of one "
        "activation would not stop it.",
        f"Open Cohort Activation, edit activation '{ids[-1]}' and untick "
        f"{snapshot.cohort_label(code)}; it still reaches {tag_id} through "
        f"'{ids[0]}'.",
    )


def _likely_typos(snapshot: Snapshot) -> Check:
    id_ = "routing.typos"
    title = "No Tag ID looks like a typo of another"
    places = _where_tag_ids_appear(snapshot)
    pairs = likely_typos(places)
    if not pairs:
        return _check(
            id_,
            title,
            "ok",
            f"The {len(places)} known Tag IDs differ by more than two characters."
            if len(places) > 1
            else "Only one Tag ID is known, so none can be a typo of another.",
            None,
        )
    sentences = [
        f"Tag ID {first} ({places[first]}) and {second} ({places[second]}) differ "
        f"by {distance} character{'s' if distance > 1 else ''}."
        for first, second, distance in pairs
    ]
    first, second, _ = pairs[0]
    return _check(
        id_,
        title,
        "warning",
        " ".join(sentences),
        f"Compare {first} and {second} with Pinterest Ads > Conversions and correct "
        "the wrong one where it is entered (Settings > Integrations for the "
        "default, Cohort Activation for an activation).",
    )


def _where_tag_ids_appear(snapshot: Snapshot) -> dict[str, str]:
    places: dict[str, list[str]] = {}
    if snapshot.integration is not None:
        places.setdefault(snapshot.integration.tag_id, []).append("the default")
    for activation in snapshot.activations:
        if activation.tag_id is not None:
            place = f"activation '{activation.id}'"
            places.setdefault(activation.tag_id, []).append(place)
    for tag_id, _ in snapshot.pixels:
        places.setdefault(tag_id, []).append("pixels")
    if snapshot.pinterest is not None:
        for tag_id in snapshot.pinterest.conversion_tag_ids:
            places.setdefault(tag_id, []).append("a conversion tag of the ad account")
    return {tag_id: ", ".join(dict.fromkeys(p)) for tag_id, p in places.items()}
