"""Hatchling build hook: put the cohort engine compiled with mypyc into every
wheel, editable ones included (tools/compile_engine.py says why and how).

Compiling needs a C compiler; without one the hook warns and the wheel is pure
Python, which works the same, only slower. COHORTCAST_COMPILE_ENGINE=0 skips it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompiledEngineHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if os.environ.get("COHORTCAST_COMPILE_ENGINE", "1") == "0":
            return
        root = Path(self.root)
        output = root / "build" / "compiled-engine"
        command = [
            sys.executable,
            str(root / "tools" / "compile_engine.py"),
            str(output),
        ]
        self.app.display_info("Compiling the cohort engine with mypyc")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode:
            self.app.display_warning(
                "Could not compile the cohort engine; it will run as pure Python"
                f" (slower):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
            return

        forced = "force_include_editable" if version == "editable" else "force_include"
        for path in sorted(output.rglob("*")):
            if path.is_file():
                build_data[forced][str(path)] = str(path.relative_to(output))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
