"""Layers hold (import-linter contracts in pyproject.toml) and modules stay small."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_BYTES = 18 * 1024


def _lint_imports() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    if beside.exists():
        return str(beside)
    found = shutil.which("lint-imports")
    assert found, "lint-imports (import-linter) is not installed"
    return found


def test_import_contracts_hold() -> None:
    assert (ROOT / "pyproject.toml").is_file() and (ROOT / "app").is_dir()
    done = subprocess.run(
        [_lint_imports(), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_is_too_large() -> None:
    modules = sorted((ROOT / "app").rglob("*.py"))
    assert len(modules) > 10
    too_large = {
        str(p.relative_to(ROOT)): p.stat().st_size
        for p in modules
        if p.stat().st_size > MAX_MODULE_BYTES
    }
    assert too_large == {}
