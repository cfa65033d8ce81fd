"""The ASGI application: management API, public SDK and collect endpoints, dashboard."""
