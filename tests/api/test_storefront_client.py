"""A storefront team can start from the schema alone: TypeScript types generated from it, a script checked and run.

``tests/api/storefront/`` holds a short storefront script (list products,
fill a cart, complete it, read the order) written against the types that
openapi-typescript generates from the committed ``docs/openapi.yaml``. The
TypeScript compiler checks every call (paths, parameters, bodies, answers);
then the script places an order on a live shop. Needs Node.js and npm (and
the npm registry, for the pinned packages of ``package-lock.json``): without
them the test is skipped locally and fails in CI (``CI=true``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

STOREFRONT = Path(__file__).with_name("storefront")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def npm() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "Node.js and npm are needed to check the TypeScript client (generated from docs/openapi.yaml)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return npm


def _run(*command: str, timeout: int = 300) -> str:
    result = subprocess.run(command, cwd=STOREFRONT, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def compiled(npm) -> Path:
    """Install the pinned packages, generate the types from the API document, type-check and compile the script."""
    _run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
    _run(npm, "run", "-s", "types")
    shutil.rmtree(STOREFRONT / "dist", ignore_errors=True)
    _run(npm, "run", "-s", "check")
    return STOREFRONT / "dist" / "storefront.js"


def test_the_storefront_script_type_checks_against_the_generated_types(compiled):
    assert compiled.exists()


def test_the_storefront_script_places_an_order_on_a_live_shop(compiled, storefront_shop_server):
    output = _run(shutil.which("node") or "node", str(compiled), storefront_shop_server, timeout=120)
    assert "order CO-" in output and " reads " in output, output
