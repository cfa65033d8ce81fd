"""Cohortcast: first-party cohorts, evaluated on the device, activated to Pinterest."""

__version__ = "0.1.0"
