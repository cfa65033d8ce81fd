"""Validation of collect batches: each problem has its own sentence."""

from __future__ import annotations

import json

import pytest

from cohortcast.collection.batches import parse_collect_batch
from cohortcast.collection.validation import (
    MAX_EVENTS,
    MAX_FUTURE_MS,
    BatchError,
    TimeLimits,
)

NOW = 1_796_000_000_000
LIMITS = TimeLimits(NOW, 30 * 86_400_000)


def body(**fields: object) -> bytes:
    batch: dict[str, object] = {"visitor_id": "v_1", "events": []}
    batch.update(fields)
    return json.dumps(batch).encode()


def event(**fields: object) -> dict[str, object]:
    found: dict[str, object] = {"id": "e1", "name": "Pageview", "time": NOW}
    found.update(fields)
    return found


def rejection(**fields: object) -> str:
    batch = parse_collect_batch(body(events=[event(), event(**fields)]), LIMITS)
    assert len(batch.events) == 1
    return batch.rejected[0].detail


def test_a_good_event_passes_with_its_properties() -> None:
    batch = parse_collect_batch(body(events=[event(properties={"a": 1})]), LIMITS)
    assert batch.events[0].properties == {"a": 1}
    assert batch.profile_key == "v:v_1"


def test_a_missing_name_is_rejected_by_index() -> None:
    detail = rejection(id="e2", name=None)
    assert detail == "events[1]: name is missing; send a non-empty string"


def test_a_missing_time_is_rejected() -> None:
    assert "time is missing" in rejection(id="e2", time=None)


def test_a_time_given_as_text_is_rejected() -> None:
    assert "time must be whole milliseconds" in rejection(id="e2", time="1")


def test_a_boolean_time_is_rejected() -> None:
    assert "time must be whole milliseconds" in rejection(id="e2", time=True)


def test_a_time_far_in_the_future_names_the_allowance() -> None:
    detail = rejection(id="e2", time=NOW + MAX_FUTURE_MS + 1)
    assert "more than 10 minutes ahead of the server's clock" in detail


def test_a_time_older_than_retention_is_rejected() -> None:
    assert "older than the retention period" in rejection(id="e2", time=1000)


def test_an_overlong_id_is_rejected() -> None:
    assert "id must have 1 to 100 characters" in rejection(id="x" * 101)


def test_properties_that_are_not_an_object_are_rejected() -> None:
    assert "properties must be an object" in rejection(id="e2", properties=[1])


def test_deeply_nested_properties_are_rejected() -> None:
    nested: dict[str, object] = {}
    inner = nested
    for _ in range(20):
        inner["a"] = {}
        inner = inner["a"]  # type: ignore[assignment]
    assert "nest deeper than 8 levels" in rejection(id="e2", properties=nested)


def test_huge_properties_are_rejected() -> None:
    assert "keep them under" in rejection(id="e2", properties={"a": "x" * 100_000})


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_properties_holding_nan_or_infinity_are_rejected(number: bytes) -> None:
    raw = body(events=[event(), event(id="e2", properties={"x": 0})])
    batch = parse_collect_batch(raw.replace(b'{"x": 0}', b'{"x": %s}' % number), LIMITS)

    assert [e.id for e in batch.events] == ["e1"]
    assert batch.rejected[0].detail == (
        "events[1]: properties hold NaN or Infinity, which JSON does not allow;"
        " send a number or null"
    )


def test_an_event_that_is_not_an_object_is_rejected() -> None:
    batch = parse_collect_batch(body(events=[event(), "Pageview"]), LIMITS)
    assert batch.rejected[0].detail == "events[1]: expected an object, got a string"


def test_an_event_repeated_in_a_batch_counts_once() -> None:
    batch = parse_collect_batch(body(events=[event(), event()]), LIMITS)
    assert (len(batch.events), batch.repeated) == (1, 1)


def test_a_batch_of_only_bad_events_is_refused_listing_them() -> None:
    with pytest.raises(BatchError) as raised:
        parse_collect_batch(body(events=[event(name=""), event(time=None)]), LIMITS)
    assert raised.value.status == 422
    assert "events[0]: name must have 1 to 200" in raised.value.detail
    assert "events[1]: time is missing" in raised.value.detail


def test_too_many_events_names_the_limit() -> None:
    events = [event(id=f"e{n}") for n in range(MAX_EVENTS + 1)]
    with pytest.raises(BatchError, match=f"send at most {MAX_EVENTS} per request"):
        parse_collect_batch(body(events=events), LIMITS)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The request body is empty"),
        (b"{", "The request body is not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object, got a list"),
        (b"[" * 100_000, "nests too deeply"),
        (b'{"events": []}', "visitor_id is missing"),
        (b'{"visitor_id": 7}', "visitor_id must be a string"),
        (b'{"visitor_id": "v", "events": {}}', "events must be a list"),
        (b'{"visitor_id": "v", "email_sha256": "abc"}', "hex SHA-256"),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(BatchError, match=message):
        parse_collect_batch(raw, LIMITS)


def test_receipts_are_validated_apart_from_events() -> None:
    receipts = [
        {"tag_id": "2612345678901", "cohort_code": "k7", "event_id": "x", "time": NOW},
        {"tag_id": "26a", "cohort_code": "k7", "event_id": "x", "time": NOW},
    ]
    batch = parse_collect_batch(body(events=[event()], receipts=receipts), LIMITS)
    assert len(batch.receipts) == 1
    assert batch.rejected_receipts[0].detail == (
        "receipts[1]: tag_id must contain only digits"
    )
