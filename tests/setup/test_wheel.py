"""An installed (non-editable) hushdesk must carry everything it reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.databases import backend

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "hushdesk"
CODE_SUFFIXES = {".py", ".pyc"}


@pytest.mark.skipif(backend() != "sqlite", reason="packaging check runs once, in the SQLite pass")
def test_wheel_contains_every_runtime_file(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("hushdesk-*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "src/hushdesk"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    wanted = [p.removeprefix("src/") for p in tracked if Path(p).suffix not in CODE_SUFFIXES]
    missing = [p for p in wanted if p not in shipped]
    assert missing == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
