"""What a demo run is asked to do, and the addresses it serves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(".cohortcast-demo")
DATABASE_FILE = "cohortcast.db"
KEY_FILE = "cohortcast.key"


@dataclass(frozen=True)
class DemoOptions:
    """The ``cohortcast demo`` options; ``visitors`` and ``duration`` None: no end."""

    host: str = "127.0.0.1"
    port: int = 8000
    sandbox_port: int = 8700
    site_port: int = 8800
    data_dir: Path = DEFAULT_DATA_DIR
    reset: bool = False
    visitors: int | None = None
    duration: float | None = None
    use_browser: bool = True
    concurrency: int = 12
    seed: int = 7
    progress_interval: float = 10.0

    @property
    def database_url(self) -> str:
        """The demo's own SQLite file, inside the data directory."""
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"

    @property
    def urls(self) -> DemoUrls:
        """Where each part answers, as a browser on this machine reaches it."""
        # A server bound to every interface is still reached on loopback.
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return DemoUrls(
            server=f"http://{host}:{self.port}",
            sandbox=f"http://{host}:{self.sandbox_port}",
            site=f"http://{host}:{self.site_port}",
        )


@dataclass(frozen=True)
class DemoUrls:
    """The three origins of the demo and the pages worth opening."""

    server: str
    sandbox: str
    site: str

    @property
    def dashboard(self) -> str:
        """The dashboard's cohorts list (sign-in first)."""
        return f"{self.server}/"

    @property
    def api_docs(self) -> str:
        """The management API's interactive documentation."""
        return f"{self.server}/api/v1/docs"

    @property
    def audiences(self) -> str:
        """The sandbox's Ads > Audiences page."""
        return f"{self.sandbox}/ads/audiences"

    @property
    def pixel(self) -> str:
        """The sandbox's pixel endpoint, given to browsers in the SDK config."""
        return f"{self.sandbox}/v3/"

    @property
    def ads_api(self) -> str:
        """The sandbox's Ads API v5 base URL."""
        return f"{self.sandbox}/v5"
