import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cohortcast.pinterest.identifiers import (
    InvalidIdentifier,
    hash_email,
    hash_maid,
    is_sha256_hex,
    normalize_email,
    normalize_maid,
)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_emails_are_trimmed_and_lowercased_before_hashing() -> None:
    assert normalize_email("  Ada.Lovelace@Example.COM\n") == "ada.lovelace@example.com"
    assert hash_email(" Ada@Example.com ") == sha256("ada@example.com")


def test_maids_are_trimmed_and_lowercased_before_hashing() -> None:
    maid = " 6D92078A-8246-4BA4-AE5B-76104861E7DC "
    assert normalize_maid(maid) == "6d92078a-8246-4ba4-ae5b-76104861e7dc"
    assert hash_maid(maid) == sha256("6d92078a-8246-4ba4-ae5b-76104861e7dc")


def test_an_existing_digest_passes_through_lowercased() -> None:
    digest = sha256("ada@example.com")
    assert hash_email(digest.upper()) == digest
    assert hash_maid(digest) == digest
    assert is_sha256_hex(digest)
    assert not is_sha256_hex("ada@example.com")


def test_an_address_without_a_domain_is_refused_without_quoting_it() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        hash_email("secret-person@")
    assert "secret-person" not in str(caught.value)


def test_an_empty_maid_is_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="must not be empty"):
        hash_maid("   ")


@given(
    local=st.from_regex(r"[A-Za-z0-9._]{1,20}", fullmatch=True),
    domain=st.from_regex(r"[A-Za-z0-9]{1,15}\.[A-Za-z]{2,5}", fullmatch=True),
    padding=st.sampled_from(["", " ", "\t", "  \n"]),
)
def test_case_and_padding_never_change_an_email_hash(
    local: str, domain: str, padding: str
) -> None:
    email = f"{local}@{domain}"
    assert hash_email(padding + email.upper() + padding) == hash_email(email.lower())
