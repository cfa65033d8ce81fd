"""Compile the cohort engine (src/cohortcast/engine) with mypyc into the
package ``_cohortcast_engine``, in OUTPUT_DIR.

mypyc turns the engine's type-annotated Python into a C extension that
evaluates events about 1.6 times as fast; it is the compiler mypy and black
ship with. ``cohortcast.engine`` imports the compiled package only while it matches
the sources (engine/_native.py), and falls back to Python otherwise.

    python tools/compile_engine.py OUTPUT_DIR

Needs mypy (which includes mypyc), setuptools and a C compiler. The build
hook (hatch_build.py) runs this for every install; so does ``make install``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ENGINE = Path(__file__).resolve().parent.parent / "src" / "cohortcast" / "engine"


def _native() -> ModuleType:
    """engine/_native.py on its own: importing cohortcast would need its
    dependencies, which a build environment does not have."""
    spec = importlib.util.spec_from_file_location(
        "_engine_native", ENGINE / "_native.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_engine(output: Path) -> None:
    """Build the compiled package into ``output`` (created if missing)."""
    from mypyc.build import mypycify
    from setuptools import setup

    native = _native()
    package_name = native.COMPILED_PACKAGE
    modules = native.engine_modules(ENGINE)
    compiled = [name for name in modules if name not in native.INTERPRETED]
    output = output.resolve()
    # What an earlier build left: never mix two builds.
    shutil.rmtree(output / package_name, ignore_errors=True)
    for stale in output.glob(f"{package_name}__mypyc*"):
        stale.unlink()
    with tempfile.TemporaryDirectory() as work:
        package = Path(work) / package_name
        package.mkdir()
        for name in modules:
            (package / name).write_bytes((ENGINE / name).read_bytes())
        init = package / "__init__.py"
        init.write_text(
            '"""The cohort engine compiled with mypyc from cohortcast/engine;'
            ' built by tools/compile_engine.py, never edited."""\n\n'
            f'SOURCE_DIGEST = "{native.source_digest(ENGINE)}"\n'
        )

        here = os.getcwd()
        os.chdir(work)
        try:
            extensions = mypycify(
                [f"{package_name}/{name}" for name in compiled],
                opt_level="3",
                group_name=package_name,
            )
            setup(
                name=package_name,
                ext_modules=extensions,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--build-lib",
                    str(output),
                    "--build-temp",
                    str(Path(work) / "temp"),
                ],
            )
        finally:
            os.chdir(here)
        for name in ["__init__.py", *native.INTERPRETED]:
            (output / package_name / name).write_bytes((package / name).read_bytes())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    compile_engine(Path(sys.argv[1]))
