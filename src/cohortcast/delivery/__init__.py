"""Server-side Pinterest delivery: credentials, the outbox and its worker,
audiences, customer lists and the Conversions API. See ``docs/delivery.md``.

- :mod:`.credentials`: the ad account and the encrypted access token;
- :mod:`.connection`: "test connection" with a precise result;
- :mod:`.enqueue`: membership changes become outbox rows in their transaction;
- :mod:`.outbox`: claiming due rows, and recording what happened to them;
- :mod:`.sender`: one batch of rows becomes Ads API requests;
- :mod:`.audiences`: VISITOR audiences kept in step with routing;
- :mod:`.log`: the delivery log per integration;
- :mod:`.overview`: what delivery holds for an integration, read for people;
- :mod:`.worker`: ``deliver_due`` and the background loop.
"""
