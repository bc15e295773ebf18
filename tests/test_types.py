"""Every package type-checks: mypy over all of them (configured in pyproject), so the seams stay typed."""

from __future__ import annotations

import subprocess
import sys

from copilot.core.settings import REPO_ROOT


def test_mypy_is_clean_on_every_package():
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
