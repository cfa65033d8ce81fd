"""The ASGI application: ``create_app()`` is what servers and tests run."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import cohortcast
from cohortcast.delivery.worker import deliverer_for, run_delivery
from cohortcast.settings import Settings
from cohortcast.store.database import open_store
from cohortcast.web import background, collect, sdk
from cohortcast.web.api import API_PREFIX, build_api_router
from cohortcast.web.cors import PublicCorsMiddleware
from cohortcast.web.dashboard import build_dashboard_router
from cohortcast.web.errors import install_error_handlers
from cohortcast.web.sdk_config import ConfigRenderer

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment).

    Opens the store at once, applying migrations and creating the default
    workspace, so the app answers correctly from its first request, also
    under a ``TestClient`` that does not run the lifespan.
    """
    settings = settings or Settings.from_env()
    store = open_store(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        deliverer = deliverer_for(settings, store)
        interval = settings.background_interval_seconds
        async with (
            collect.running(app),
            background.running(run_delivery(deliverer, interval)),
        ):
            yield
        store.close()

    app = FastAPI(
        title="Cohortcast",
        version=cohortcast.__version__,
        summary="First-party cohorts, activated to Pinterest.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.config_renderer = ConfigRenderer(store, settings)
    collect.install(app, store, settings)

    install_error_handlers(app)
    app.include_router(sdk.router)
    app.include_router(build_api_router())
    app.include_router(collect.router)
    app.add_api_route("/healthz", _health, include_in_schema=False)
    app.include_router(build_dashboard_router())
    # Middleware added last runs first: the body limit before anything reads
    # a body, CORS around everything public, config.json and collect inside CORS.
    app.add_middleware(collect.CollectMiddleware)
    app.add_middleware(sdk.SdkConfigMiddleware)
    app.add_middleware(PublicCorsMiddleware)
    app.add_middleware(
        collect.BodyLimitByPath,
        max_body_bytes=settings.max_body_bytes,
        collect_max_body_bytes=settings.collect_max_body_bytes,
    )
    logger.debug("Application ready on %s", store.database_label)
    return app


def _health() -> dict[str, str]:
    return {"status": "ok"}
