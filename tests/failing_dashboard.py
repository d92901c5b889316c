"""The dashboard with its map forced to fail, for the browser test of the page's error boundary."""
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geo.mapview  # noqa: E402


def broken_map(*args, **kwargs):
    raise RuntimeError(f"forced failure reading {ROOT}/secret/path")


geo.mapview.build_map = broken_map
runpy.run_path(str(ROOT / "dashboard.py"), run_name="__main__")
