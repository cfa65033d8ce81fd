"""The Pinterest destination.

Tag IDs, routing, the pixel wire format, the Ads API client and its sandbox.
"""
