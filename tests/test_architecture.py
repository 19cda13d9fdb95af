"""Layers hold (import-linter contracts in pyproject.toml) and modules stay small."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400  # STYLE.md: modules around 400 lines at most


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


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_too_large() -> None:
    """Counted in lines, as the house rule says (bytes favoured ASCII over Chinese);
    migrations are generated scripts and not counted."""
    modules = sorted(p for p in (ROOT / "app").rglob("*.py") if "migrations" not in p.parts)
    assert len(modules) > 10
    too_large = {
        str(p.relative_to(ROOT)): n for p in modules if (n := _lines(p)) > MAX_MODULE_LINES
    }
    assert too_large == {}
