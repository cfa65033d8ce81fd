"""The store: SQLAlchemy models, sessions, Alembic migrations and the business rules.

Open it with :func:`cohortcast.store.database.open_store`, which migrates. A
change is a call to a service function inside ``store.transaction()``; the
function validates, writes, bumps the SDK configuration version, and raises
an error from :mod:`.errors` (one sentence, mapped to an HTTP status by the
web layer) when the change is refused::

    with store.transaction() as session:
        cohort = cohorts.create_cohort(session, workspace_id, name=..., definition=...)

Service modules, one per concept: :mod:`.workspaces`, :mod:`.tokens`,
:mod:`.users`, :mod:`.integrations`, :mod:`.cohorts`, :mod:`.activations`;
read models: :mod:`.routing` (the routing table) and :mod:`.sdk_config`.
"""
