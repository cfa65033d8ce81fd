"""Rendering the SDK configuration JSON, cached per workspace and stamp.

A rendered configuration is reused for as long as the workspace's stamp
(id and config version, read on every request) and the collect URL stay
the same, so an unchanged configuration costs one indexed lookup.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

from cohortcast.settings import Settings
from cohortcast.store.database import Store
from cohortcast.store.sdk_config import ConfigStamp, ConfigStampReader, load_sdk_content

# Enough for every workspace of a large installation; beyond it, the oldest go.
_MAX_ENTRIES = 4096


@dataclass(frozen=True)
class RenderedConfig:
    """The JSON body and its strong, quoted ETag."""

    etag: str
    body: bytes


class ConfigRenderer:
    """Renders and caches configurations for one server process."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        self._stamps = ConfigStampReader(store.lookup_engine)
        self._cache: dict[tuple[ConfigStamp, str], RenderedConfig] = {}
        self._lock = threading.Lock()

    def stamp(self, sdk_key: str) -> ConfigStamp | None:
        """The workspace's current stamp (one indexed lookup), None if unknown."""
        return self._stamps.read(sdk_key)

    def cached(self, stamp: ConfigStamp, collect_url: str) -> RenderedConfig | None:
        """The configuration at ``stamp`` if this process rendered it already."""
        return self._cache.get((stamp, collect_url))

    def render(self, stamp: ConfigStamp, collect_url: str) -> RenderedConfig:
        """The configuration at ``stamp``, rendered at most once per process."""
        key = (stamp, collect_url)
        cached = self._cache.get(key)
        if cached is not None:
            return cached

        rendered = self._render(stamp, collect_url)
        with self._lock:
            if len(self._cache) >= _MAX_ENTRIES:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = rendered
        return rendered

    def version(self, stamp: ConfigStamp, collect_url: str) -> str:
        """The ``version`` (ETag value) of the configuration at ``stamp``.

        It covers everything the body depends on besides the stamp (collect
        URL, pixel settings), so a different body never shares an ETag.
        """
        settings = self._settings
        parts = (
            stamp.workspace_id,
            str(stamp.config_version),
            collect_url,
            settings.pinterest_pixel_url,
            settings.pinterest_event,
            str(settings.pinterest_refresh_seconds),
            str(settings.consent_required),
        )
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def _render(self, stamp: ConfigStamp, collect_url: str) -> RenderedConfig:
        # The stamp was read before the content, so the content is at least as
        # new as the version it is labelled with, never older.
        with self._store.read() as session:
            content = load_sdk_content(session, stamp.workspace_id)
        version = self.version(stamp, collect_url)
        settings = self._settings
        document = {
            "version": version,
            "cohorts": content.cohorts,
            "routing": content.routing,
            "pinterest": {
                "pixel_url": settings.pinterest_pixel_url,
                "event": settings.pinterest_event,
                "refresh_seconds": settings.pinterest_refresh_seconds,
            },
            "collect_url": collect_url,
            "consent_required": settings.consent_required,
        }
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        return RenderedConfig(etag=f'"{version}"', body=body)
