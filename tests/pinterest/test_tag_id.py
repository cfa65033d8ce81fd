"""Tag ID validation: what users paste, and what they are told when it is wrong."""

from __future__ import annotations

import pytest

from cohortcast.pinterest.tag_id import (
    InvalidTagIdError,
    normalize_optional_tag_id,
    normalize_tag_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2612345678901", "2612345678901"),
        ("  2612345678901\t", "2612345678901"),
        ("1234567890", "1234567890"),
        ("12345678901234567890", "12345678901234567890"),
    ],
)
def test_valid_tag_ids_are_returned_without_surrounding_spaces(
    raw: str, expected: str
) -> None:
    assert normalize_tag_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "26123abc",
            "Tag ID '26123abc' must contain only digits "
            "(find it under Ads > Conversions in Pinterest).",
        ),
        ("2612 345678901", "Tag ID '2612 345678901' must contain only digits"),
        ("-2612345678901", "must contain only digits"),
        ("٢٦١٢٣٤٥٦٧٨٩٠١", "must contain only digits"),
        (
            "123456789",
            "Tag ID '123456789' has 9 digits; a Pinterest Tag ID has 10 to 20",
        ),
        ("123456789012345678901", "has 21 digits"),
        ("", "Tag ID '' is empty"),
        ("   ", "is empty"),
    ],
)
def test_invalid_tag_ids_are_rejected_with_where_to_find_the_tag_id(
    raw: str, message: str
) -> None:
    with pytest.raises(InvalidTagIdError) as caught:
        normalize_tag_id(raw)

    assert message in str(caught.value)
    assert "Ads > Conversions" in str(caught.value)


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_blank_optional_tag_id_means_the_default(raw: str | None) -> None:
    assert normalize_optional_tag_id(raw) is None


def test_optional_tag_id_is_still_validated_when_given() -> None:
    with pytest.raises(InvalidTagIdError):
        normalize_optional_tag_id("abc")
