"""Pydantic models of the Pinterest Ads API v5 shapes Cohortcast uses.

Written from Pinterest's OpenAPI description (``components.schemas``), with only
the fields Cohortcast reads or writes. Request models forbid unknown fields, so
the sandbox can validate with them and a typo in the client fails loudly;
response models ignore unknown fields, so a field Pinterest adds tomorrow does
not break delivery today.

Where the description and Cohortcast's design disagree, the description wins:
``AudienceRule.visitor_source_id`` is a single Tag ID string, not a list.
"""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    field_validator,
    with_config,
)
from typing_extensions import TypedDict

Digits = Annotated[str, Field(pattern=r"^\d+$", max_length=20)]

AudienceType = Literal["CUSTOMER_LIST", "VISITOR", "ENGAGEMENT", "ACTALIKE", "PERSONA"]
AudienceOperation = Literal["UPDATE", "REMOVE"]
ListType = Literal["EMAIL", "IDFA", "MAID", "LR_ID", "DLX_ID", "HASHED_PINNER_ID"]
ListOperation = Literal["ADD", "REMOVE"]
ActionSource = Literal["app_android", "app_ios", "web", "offline"]
EventName = Literal[
    "add_payment_info",
    "add_to_cart",
    "add_to_wishlist",
    "app_install",
    "checkout",
    "custom",
    "initiate_checkout",
    "lead",
    "page_visit",
    "search",
    "signup",
    "subscribe",
    "view_category",
    "view_content",
    "watch_video",
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ApiError(_Response):
    """Pinterest's error body: ``{"code": int, "message": str}``."""

    code: int
    message: str


class AudienceRule(BaseModel):
    """The ``rule`` of an audience (schema ``AudienceRule``).

    Extra keys are kept: the schema lists many rule keys for audience types
    Cohortcast does not create, and a rule read from Pinterest must survive a
    round trip unchanged.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    visitor_source_id: Digits | None = None
    event: str | None = None
    event_data: dict[str, JsonValue] | None = None
    customer_list_id: Digits | None = None
    retention_days: Annotated[int, Field(ge=1, le=540)] | None = None
    prefill: bool | None = None

    @field_validator("visitor_source_id", mode="before")
    @classmethod
    def _one_tag_id(cls, value: object) -> object:
        # The schema says string, but its own rule example writes a one-item
        # list; accept that spelling and keep the schema's.
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        return value


class AudienceCreateRequest(_Request):
    """Body of ``POST /ad_accounts/{ad_account_id}/audiences``."""

    ad_account_id: Digits | None = None
    name: str = Field(min_length=1)
    rule: AudienceRule
    audience_type: AudienceType
    description: str | None = None


class AudienceUpdateRequest(_Request):
    """Body of ``PATCH .../audiences/{audience_id}``; REMOVE archives the audience."""

    ad_account_id: Digits | None = None
    name: str | None = Field(default=None, min_length=1)
    rule: AudienceRule | None = None
    description: str | None = None
    operation_type: AudienceOperation | None = None


class Audience(_Response):
    """An audience as Pinterest returns it (schema ``Audience``)."""

    id: str
    ad_account_id: str | None = None
    name: str | None = None
    audience_type: str | None = None
    description: str | None = None
    rule: AudienceRule | None = None
    size: int | None = None
    status: str | None = None
    type: str = "audience"
    created_timestamp: int | None = None
    updated_timestamp: int | None = None


class AudiencePage(_Response):
    """One page of ``GET .../audiences``: items and the bookmark of the next page."""

    items: list[Audience]
    bookmark: str | None = None


class CustomerListRequest(_Request):
    """Body of ``POST .../customer_lists``; ``records`` is comma-separated."""

    name: str = Field(min_length=1)
    records: str
    list_type: ListType = "EMAIL"


class CustomerListUpdateRequest(_Request):
    """Body of ``PATCH .../customer_lists/{customer_list_id}``: ADD or REMOVE."""

    operation_type: ListOperation
    records: str


class CustomerList(_Response):
    """A customer list as Pinterest returns it (schema ``CustomerList``)."""

    id: str
    ad_account_id: str | None = None
    name: str | None = None
    status: Literal["PROCESSING", "READY", "TOO_SMALL", "UPLOADING"] | None = None
    num_batches: float | None = None
    num_uploaded_user_records: float | None = None
    num_removed_user_records: float | None = None
    created_time: float | None = None
    updated_time: float | None = None
    type: str = "customerlist"


class CustomerListPage(_Response):
    """One page of ``GET .../customer_lists``."""

    items: list[CustomerList]
    bookmark: str | None = None


def _has_a_match_key(user_data: ConversionUserData) -> ConversionUserData:
    has_pair = user_data.get("client_ip_address") and user_data.get("client_user_agent")
    if not (user_data.get("em") or user_data.get("hashed_maids") or has_pair):
        raise ValueError(
            "user_data needs em, hashed_maids, or client_ip_address together "
            "with client_user_agent"
        )
    return user_data


# The Conversions API shapes are TypedDicts, not models: events come by the
# thousand, and validating or encoding plain dicts costs pydantic-core about
# half of what building model instances does.


@with_config(ConfigDict(extra="forbid"))
class ConversionUserData(TypedDict, total=False):
    """``user_data`` of a conversion event: hashed identifiers or IP + user agent.

    The schema requires at least one of ``em``, ``hashed_maids`` or the pair
    ``client_ip_address`` + ``client_user_agent``.
    """

    em: list[str]
    hashed_maids: list[str]
    external_id: list[str]
    client_ip_address: str
    client_user_agent: str
    click_id: str


@with_config(ConfigDict(extra="forbid"))
class ConversionCustomData(TypedDict, total=False):
    """The part of ``custom_data`` Cohortcast uses (the schema forbids other keys)."""

    content_ids: list[str]
    content_name: str


@with_config(ConfigDict(extra="forbid"))
class ConversionEvent(TypedDict):
    """One item of ``ConversionEvents.data`` (the schema forbids unknown keys)."""

    event_name: EventName
    action_source: ActionSource
    event_time: int
    event_id: Annotated[str, Field(min_length=1)]
    user_data: Annotated[ConversionUserData, AfterValidator(_has_a_match_key)]
    custom_data: NotRequired[ConversionCustomData]
    event_source_url: NotRequired[str]
    partner_name: NotRequired[str]
    opt_out: NotRequired[bool]


@with_config(ConfigDict(extra="forbid"))
class ConversionEvents(TypedDict):
    """Body of ``POST /ad_accounts/{ad_account_id}/events``: 1 to 1,000 events."""

    data: Annotated[list[ConversionEvent], Field(min_length=1, max_length=1000)]


CONVERSION_EVENT = TypeAdapter(ConversionEvent)
CONVERSION_EVENTS = TypeAdapter(ConversionEvents)


def validate_conversion_event(raw: object) -> ConversionEvent:
    """Check a conversion event (e.g. one read back from storage) against the schema.

    Raises ``pydantic.ValidationError`` (a ``ValueError``) naming the bad field.
    """
    return CONVERSION_EVENT.validate_python(raw)


class ConversionEventResult(_Response):
    """Per-event answer of the Conversions API, in request order."""

    status: Literal["failed", "processed"]
    error_message: str | None = None
    warning_message: str | None = None


class ConversionResponse(_Response):
    """Answer of ``POST .../events`` (schema ``ConversionApiResponse``)."""

    num_events_received: int
    num_events_processed: int
    events: list[ConversionEventResult]


class ConversionTag(_Response):
    """A conversion tag (Pinterest tag) of an ad account; its ``id`` is the Tag ID."""

    id: str
    ad_account_id: str
    name: str
    status: str | None = None


class ConversionTagList(_Response):
    """Answer of ``GET .../conversion_tags``."""

    items: list[ConversionTag]


class AdAccount(_Response):
    """An ad account (schema ``AdAccount``)."""

    id: str
    name: str | None = None
    country: str | None = None
    currency: str | None = None


class AdAccountPage(_Response):
    """One page of ``GET /ad_accounts``: the ad accounts the token may use."""

    items: list[AdAccount]
    bookmark: str | None = None


class UserAccount(_Response):
    """The token's user account (schema ``Account``)."""

    username: str | None = None
    id: str | None = None
    account_type: str | None = None
