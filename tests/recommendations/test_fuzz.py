"""The schema fuzzer finds nothing on the recommendations operations: no 5xx, no undocumented answer, no 400 for a valid request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import shop_server  # noqa: F401  the live demo shop, in a process of its own
from tests.api.test_fuzz import CONFIG, MAX_EXAMPLES, SEED

pytestmark = pytest.mark.slow


def test_the_fuzzer_finds_nothing_on_recommendations(shop_server, tmp_path):  # noqa: F811
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "run", f"{shop_server}/api/schema/",
        "--checks", "all", "--include-path-regex", r"^/api/v1/recommendations/", "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED), "--workers", "1", "--generation-database", "none", "--no-color", "--request-timeout", "30",
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
