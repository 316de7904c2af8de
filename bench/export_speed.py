"""Partner-list export speed on the large demo set (50,000 companies, 250,000 contacts).

Exports through the same service as the web export and `crm export` (crm.exports.services.write,
as an administrator sees the list: donation columns included), into a temporary file, and prints
for each job: seconds, rows per second, file size, the peak of Python allocations (tracemalloc)
and the growth of the process's resident set (ru_maxrss). Each job runs in a subprocess of its
own so peaks do not mix; time is measured in a run without tracemalloc (it slows Python down) and
memory in a second run with it.

    DATABASE_URL=sqlite:////tmp/large_exp.db .venv/bin/crm init
    DATABASE_URL=sqlite:////tmp/large_exp.db .venv/bin/crm demo --scale large
    .venv/bin/python bench/export_speed.py [--database sqlite:////tmp/large_exp.db]
        [--jobs companies:csv,companies:xlsx,contacts:csv]

The database is only read, except for one audit-trail row per export, which is rolled back.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_JOBS = "companies:csv,companies:xlsx,contacts:csv"


def one(database: str, kind: str, fmt: str, trace: bool) -> dict:
    """Run one export in this process and return its figures."""
    import tracemalloc

    from crm import create_app
    from crm.exports import services
    from crm.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before measuring
        req = services.Request(kind=kind, format=fmt, args={}, donations=True)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        with tempfile.NamedTemporaryFile(suffix="." + services.EXTENSIONS[fmt]) as out:
            started, cpu = time.perf_counter(), time.process_time()
            result = services.write(req, out)
            out.flush()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = os.path.getsize(out.name)
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.session.rollback()
    return {"kind": kind, "format": fmt, "rows": result.rows, "seconds": seconds, "cpu": cpu,
            "bytes": size, "tracemalloc_peak": peak, "rss_delta_kib": rss_after - rss_before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get(
        "DATABASE_URL", "sqlite:////tmp/large_exp.db"))
    parser.add_argument("--jobs", default=DEFAULT_JOBS,
                        help=f"kind:format,... (default {DEFAULT_JOBS})")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, fmt = args.one.split(":")
        print(json.dumps(one(args.database, kind, fmt, args.trace)))
        return

    print(f"database: {args.database}")
    load = os.getloadavg()[0]
    print(f"load average before: {load:.1f} on {os.cpu_count()} CPUs (wall time suffers "
          "when the machine is busy; CPU seconds less so)")
    print(f"{'export':<18}{'rows':>9}{'seconds':>9}{'CPU s':>7}{'rows/s':>9}{'file MB':>9}"
          f"{'py peak MB':>12}{'RSS +MB':>9}{'RSS +MB*':>10}")
    for job in args.jobs.split(","):
        runs = {}
        for trace in (False, True):
            cmd = [sys.executable, __file__, "--database", args.database, "--one", job]
            if trace:
                cmd.append("--trace")
            out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                                 cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            runs[trace] = json.loads(out.stdout.strip().splitlines()[-1])
        timed, traced = runs[False], runs[True]
        print(f"{job:<18}{timed['rows']:>9,}{timed['seconds']:>9.2f}{timed['cpu']:>7.2f}"
              f"{timed['rows'] / timed['seconds']:>9,.0f}{timed['bytes'] / 2**20:>9.1f}"
              f"{traced['tracemalloc_peak'] / 2**20:>12.1f}{timed['rss_delta_kib'] / 1024:>9.1f}"
              f"{traced['rss_delta_kib'] / 1024:>10.1f}")
    print("RSS +MB: growth of the peak resident set during the export (timed run); "
          "RSS +MB*: the same in the traced run.")


if __name__ == "__main__":
    main()
