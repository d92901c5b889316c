"""One measurement in a fresh process; prints JSON with wall seconds and this process's peak memory.

python bench/measure.py pipeline PATH...   the full `python -m geo analyze` work, cold (imports and model load included)
python bench/measure.py floor PATH...      a bare script: load the same spaCy model, nlp.pipe over the same (cleaned) texts
"""
from __future__ import annotations

import json
import resource
import sys
import time

START = time.perf_counter()


def texts_of(paths):
    from pathlib import Path

    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            yield f.read_text(encoding="utf-8", errors="replace")


def main() -> None:
    mode, paths = sys.argv[1], sys.argv[2:]
    workers = 1
    if paths and paths[0].startswith("--workers="):
        workers = int(paths.pop(0).split("=", 1)[1])
    if mode == "pipeline":
        from geo.cli import main as geo_main

        code = geo_main(["analyze", *paths, "--workers", str(workers), "--json", "/dev/null"])
        assert code == 0
    elif mode == "floor":
        import importlib

        from geo.parsing import MODEL_PREFERENCE

        for name in MODEL_PREFERENCE:
            try:
                nlp = importlib.import_module(name).load()
                break
            except ImportError:
                continue
        for _ in nlp.pipe(texts_of(paths), batch_size=32, n_process=workers):
            pass
    else:
        raise SystemExit(f"unknown mode {mode}")
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime  # this process and its joined workers
    print(json.dumps({"mode": mode, "seconds": time.perf_counter() - START, "cpu": cpu,
                      "peak_mb": max(me.ru_maxrss, children.ru_maxrss) / 1024}))


if __name__ == "__main__":
    main()
