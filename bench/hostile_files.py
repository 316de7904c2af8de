"""Hostile files against the readers: time and peak memory of each bomb of issue 13, refused
within its bound, next to two honest files of 100,000 rows for comparison.

Each file is read in a child process (importers.read, or the screening parser for the XML),
so each figure is that file's own: wall time while traced, peak RSS of the child (VmHWM) and
peak Python allocations while reading (tracemalloc; it does not see python-calamine's Rust
memory). For .xlsx files the .xlsx guard alone is timed too (untraced), and for the honest
files the read untraced. The bombs are made by tests/bombs.py, streaming.

    .venv/bin/python bench/hostile_files.py [--no-honest] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import bombs  # noqa: E402

CHILD = r"""
import json, re, sys, time, tracemalloc
import importers
from importers import screening, xlsx_guard
path, name, kind = sys.argv[1:4]
data = open(path, "rb").read()
guard = None
if name.endswith(".xlsx"):  # the guard alone, untraced: what it adds to every .xlsx read
    start = time.perf_counter()
    try:
        xlsx_guard.inspect(data, name)
    except importers.ImportFileError:
        pass
    guard = time.perf_counter() - start
start = time.perf_counter()
untraced = None
if "--untraced" in sys.argv:
    try:
        importers.read(data, name, kind)
    except importers.ImportFileError:
        pass
    untraced = time.perf_counter() - start
tracemalloc.start()
start = time.perf_counter()
try:
    if kind == "un":
        parsed = screening.parse("un", data, name)
        out = {"result": f"read: {len(parsed.entries)} entries"}
    else:
        parsed = importers.read(data, name, kind)
        out = {"result": f"read: {len(parsed.rows)} rows"}
except (importers.ImportFileError, screening.ScreeningFileError) as err:
    out = {"result": "refused: " + str(err)}
out["seconds"] = time.perf_counter() - start
out["traced_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
# VmHWM: this process's own peak (ru_maxrss would include the parent's, kept across exec)
status = open("/proc/self/status").read()
out["rss_mb"] = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
out["guard_seconds"] = guard
out["untraced_seconds"] = untraced
print(json.dumps(out))
"""


def honest_files():
    sys.path.insert(0, str(ROOT / "bench"))
    import parse_speed

    rows = parse_speed.generate(100_000)
    return [("100,000 company rows, .xlsx (openpyxl)", "honest.xlsx", "companies",
             lambda: parse_speed.to_xlsx(rows)),
            ("100,000 company rows, CP932 CSV", "honest.csv", "companies",
             lambda: parse_speed.to_csv(rows))]


def bomb_files():
    return [
        ("dimension bomb: cells at A1 and XFD1048576", "dimension.xlsx", "companies",
         bombs.dimension_bomb),
        ("zip bomb: 1.15 GB sheet", "zipbomb.xlsx", "companies",
         lambda: bombs.zip_bomb(1150 * 1024 * 1024)),
        ("lying zip directory: 1,000 bytes declared, 64 MB inflated", "lie.xlsx", "companies",
         lambda: bombs.lying_directory(64 << 20)),
        ("huge cell: 420 MB inline string", "cell.xlsx", "companies",
         lambda: bombs.huge_inline_cell_xlsx(420 * 1024 * 1024)),
        ("huge cell: 150 MB inline string", "cell150.xlsx", "companies",
         lambda: bombs.huge_inline_cell_xlsx(150 * 1024 * 1024)),
        ("huge cell: 1 MB shared string", "cell2.xlsx", "companies",
         lambda: bombs.huge_cell_xlsx(1 << 20)),
        ("vCard folded, 2 MB (NOTE)", "note2.vcf", "contacts",
         lambda: bombs.folded_vcard(2 << 20)),
        ("vCard folded, 8 MB in 1-byte lines (PHOTO)", "photo8.vcf", "contacts",
         lambda: bombs.folded_vcard(8 << 20, "PHOTO;ENCODING=b")),
        ("vCard folded, 8 MB at 75 columns (PHOTO, read)", "photo75.vcf", "contacts",
         lambda: bombs.folded_vcard(8 << 20, "PHOTO;ENCODING=b", width=75)),
        ("vCard folded, 40 MB (too many lines)", "lines40.vcf", "contacts",
         lambda: bombs.folded_vcard(40 << 20)),
        ("billion laughs (UN list XML)", "laughs.xml", "un", bombs.billion_laughs),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-honest", action="store_true", help="bombs only")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    cases = bomb_files() + ([] if args.no_honest else honest_files())
    results = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    print(f"{'file':58} {'size':>9} {'time':>7} {'RSS':>7} {'traced':>7} {'guard':>6}  result")
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, kind, make in cases:
            start = time.perf_counter()
            data = make()
            made = time.perf_counter() - start
            path = Path(tmp) / name
            path.write_bytes(data)
            del data
            extra = ["--untraced"] if not name.endswith(".xml") else []
            done = subprocess.run([sys.executable, "-c", CHILD, str(path), name, kind, *extra],
                                  capture_output=True, env=env, timeout=900)
            if done.returncode != 0:
                out = {"result": f"CRASHED (status {done.returncode}): "
                                 + done.stderr.decode(errors="replace")[-300:],
                       "seconds": 0, "rss_mb": 0, "traced_mb": 0}
            else:
                out = json.loads(done.stdout)
            size = path.stat().st_size
            out.update(file=label, bytes=size, made_seconds=made)
            results.append(out)
            shown = f"{size / 1024:,.0f} KB" if size < 1 << 20 else f"{size / 2**20:,.1f} MB"
            guard = f"{out['guard_seconds']:5.2f}s" if out.get("guard_seconds") is not None \
                else "     -"
            untraced = f" (untraced {out['untraced_seconds']:.2f}s)" \
                if out.get("untraced_seconds") is not None else ""
            print(f"{label:58} {shown:>9} {out['seconds']:6.2f}s {out['rss_mb']:5.0f}MB "
                  f"{out['traced_mb']:5.0f}MB {guard}  {out['result'][:100]}{untraced}",
                  flush=True)
            path.unlink()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
