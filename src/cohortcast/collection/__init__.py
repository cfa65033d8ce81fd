"""Event collection and server-side evaluation.

The HTTP layer (``cohortcast.web.collect`` and ``cohortcast.web.api.events``)
stays thin: it hands bytes or parsed bodies to this package, which validates
(:mod:`.validation`), stores and evaluates in one transaction
(:mod:`.ingest`), applies exits caused by time alone (:mod:`.scheduler`),
rebuilds state after cohort edits (:mod:`.rebuild`), sizes cohorts
(:mod:`.sizes`) and enforces retention (:mod:`.retention`).
"""
