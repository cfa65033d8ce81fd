"""A local stand-in for the Pinterest endpoints Cohortcast uses.

``create_sandbox_app()`` serves the pixel endpoint (``/v3/``), the Ads API v5
audiences, customer lists, conversion tags and Conversions API (``/v5/...``),
the "Ads > Audiences" page (``/ads/audiences``) and control endpoints for
tests (``/_sandbox/...``). Run it with ``cohortcast sandbox``.
"""

from ._app import create_sandbox_app
from ._faults import Fault, FaultInjector
from ._state import (
    DEFAULT_TOKEN,
    MIN_AUDIENCE_SIZE,
    OTHER_TOKEN,
    AdAccountRecord,
    PixelHit,
    SandboxState,
)

__all__ = [
    "DEFAULT_TOKEN",
    "MIN_AUDIENCE_SIZE",
    "OTHER_TOKEN",
    "AdAccountRecord",
    "Fault",
    "FaultInjector",
    "PixelHit",
    "SandboxState",
    "create_sandbox_app",
]
