"""Command-line entry: `python -m benchmarks.run [--quick] [--only NAME] [--json PATH]`.

Prints progress on stderr and the comparison table on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchmarks import catalog, libs, report
from benchmarks.harness import Harness, Options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description="Side-by-side speed of mltrail and MLflow."
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this workload or group (embedded, server, ui, serving); "
        "repeatable or comma-separated",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a fast check")
    parser.add_argument("--repeats", type=int, default=3, help="runs per workload (median)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save results as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--libs", default="mltrail,mlflow", help="comma-separated libraries to run")
    parser.add_argument("--server-workers", type=int, default=1, help="--workers for both servers")
    parser.add_argument("--skip-server", action="store_true", help="embedded workloads only")
    parser.add_argument(
        "--mlflow-job-runner",
        action="store_true",
        help="keep MLflow's server job runner on (its default; off for a like-for-like run)",
    )
    parser.add_argument("--keep", action="store_true", help="keep working directories")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument(
        "--render", type=Path, metavar="PATH", help="print the table of a saved --json and exit"
    )
    return parser.parse_args(argv)


def split_names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def list_workloads() -> str:
    lines = []
    for workload in catalog.WORKLOADS:
        targets = ", ".join(f"{t.metric} {t.describe()}" for t in workload.targets)
        lines.append(f"{workload.name:24} issue {workload.issue}  {workload.summary}")
        if targets:
            lines.append(f"{'':24}          target: {targets}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print(list_workloads())
        return 0
    if args.render:
        print(report.render_table(report.read_json(args.render), markdown=args.markdown))
        return 0
    workloads = catalog.select(split_names(args.only), args.skip_server)
    libraries = libs.libraries(split_names([args.libs]), args.mlflow_job_runner)
    options = Options(
        quick=args.quick, repeats=args.repeats, server_workers=args.server_workers, keep=args.keep
    )
    started, load_before = time.time(), os.getloadavg()[0]
    results = Harness(libraries, options).run(workloads)
    rows = results.judge(workloads)
    print(report.render_table(rows, markdown=args.markdown))
    load_after = os.getloadavg()[0]
    print(
        f"\n{os.cpu_count()} CPUs; 1-minute load average {load_before:.1f} at the start, "
        f"{load_after:.1f} at the end; {time.time() - started:.0f} s in all."
    )
    for error in results.errors:
        print(f"\n{error['workload']} on {error['library']}: {error['error']}")
    if args.json:
        context = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
            "seconds": round(time.time() - started, 1),
            "load_average_at_start": load_before,
            "options": vars(options),
            "libraries": {lib.name: lib.version for lib in libraries},
            "mlflow_job_runner": args.mlflow_job_runner,
        }
        report.write_json(args.json, rows, results, context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
