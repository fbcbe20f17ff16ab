"""End-to-end benchmark: `rez env <request> -- true` as fresh processes, stock rez vs rez + pyrer.

For a fixed sample of rez's benchmark requests (every k-th of the 188, or all),
each request runs as a new process in three set-ups, in the same run:

- stock: rez 3.4 on the plain filesystem repository;
- pyrer, cold memo: the solver shim (one rezconfig line) and a ``pyrer@`` path,
  the memo directory emptied before every request;
- pyrer, warm memo: the same after one priming pass over the sample.

It also times the floor, ``python -c "import rez.resolved_context"``, and
reports totals and medians. Targets (issue #6): warm total <= 1.5 x (floor x
requests), and >= 5x faster than stock overall.

    .venv/bin/python scripts/bench_rez_env.py --sample 40 [--memo-dir DIR] [--memo-env VAR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rez

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(rez.__file__).parent / "data" / "benchmarking"
BIN = Path(sys.executable).parent
SHIM_LINE = "import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve\n"


def unpack(dest: Path) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from demo import unpack as demo_unpack

    return demo_unpack(dest)


def sample(requests: list[list[str]], n: int) -> list[list[str]]:
    if n <= 0 or n >= len(requests):
        return requests
    step = len(requests) / n
    return [requests[int(i * step)] for i in range(n)]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, proc.returncode


def summary(name: str, times: list[float]) -> str:
    return f"{name:28} total {sum(times):8.2f} s   median {statistics.median(times) * 1000:8.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40, help="requests (0: all 188)")
    parser.add_argument("--memo-dir", type=Path, help="the pyrer memo directory (emptied for cold)")
    parser.add_argument("--memo-env", default="PYRER_MEMO_DIR", help="variable naming the memo dir")
    parser.add_argument("--floor-runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the raw timings here")
    args = parser.parse_args()

    repo = unpack(ROOT / ".demo-data").resolve()
    requests = sample(json.loads((BENCH / "requests.json").read_text()), args.sample)
    work = Path(tempfile.mkdtemp(prefix="pyrer-bench-"))
    memo = (args.memo_dir or work / "memo").resolve()
    stock_cfg, pyrer_cfg = work / "stock.py", work / "pyrer.py"
    stock_cfg.write_text(f"packages_path = [{str(repo)!r}]\n")
    pyrer_cfg.write_text(SHIM_LINE + f"packages_path = [{f'pyrer@{repo}'!r}]\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    metrics = work / "metrics.jsonl"
    envs = {
        "stock": dict(base, REZ_CONFIG_FILE=str(stock_cfg)),
        "pyrer": dict(
            base,
            REZ_CONFIG_FILE=str(pyrer_cfg),
            PYRER_SHIM_METRICS=str(metrics),
            **{args.memo_env: str(memo)},
        ),
    }
    rez_cmd = [str(BIN / "rez"), "env"]
    floor_cmd = [sys.executable, "-c", "import rez.resolved_context"]

    floor = [run(floor_cmd, envs["stock"])[0] for _ in range(args.floor_runs)]
    print(summary(f"floor (x{args.floor_runs})", floor))

    times: dict[str, list[float]] = {
        "stock": [], "pyrer cold memo": [], "pyrer warm memo": [], "no resolve (--input rxt)": []
    }
    codes: dict[str, list[int]] = {k: [] for k in times}
    for request in requests:  # cold: an empty memo for every request
        shutil.rmtree(memo, ignore_errors=True)
        t, rc = run([*rez_cmd, *request, "--", "true"], envs["pyrer"])
        times["pyrer cold memo"].append(t)
        codes["pyrer cold memo"].append(rc)
    for request in requests:  # prime the memo with every request
        run([*rez_cmd, *request, "--", "true"], envs["pyrer"])
    metrics.unlink(missing_ok=True)
    for request in requests:
        for name, env in (("stock", envs["stock"]), ("pyrer warm memo", envs["pyrer"])):
            t, rc = run([*rez_cmd, *request, "--", "true"], env)
            times[name].append(t)
            codes[name].append(rc)

    warm_metrics = metrics.read_text().splitlines() if metrics.exists() else []
    # What rez env costs without any resolve: the same environments from
    # saved contexts. The gap between this and the floor is rez's own work
    # (plugins, context loading, environment building, the shell).
    for i, request in enumerate(requests):
        rxt = work / f"{i}.rxt"
        run([*rez_cmd, *request, "--output", str(rxt)], envs["pyrer"])
        t, rc = run([*rez_cmd, "--input", str(rxt), "--", "true"], envs["stock"])
        times["no resolve (--input rxt)"].append(t)
        codes["no resolve (--input rxt)"].append(rc)

    n = len(requests)
    print(f"{n} requests of rez's benchmark, `rez env <request> -- true`, fresh processes")
    for name, ts in times.items():
        print(summary(name, ts))
    floor_total = statistics.median(floor) * n
    warm, stock = sum(times["pyrer warm memo"]), sum(times["stock"])
    print(f"floor x requests             total {floor_total:8.2f} s")
    print(f"warm / (floor x requests)    {warm / floor_total:.2f}   (target <= 1.5)")
    print(f"stock / warm                 {stock / warm:.1f}x   (target >= 5)")
    print(f"stock / cold                 {stock / sum(times['pyrer cold memo']):.1f}x")
    no_resolve = sum(times["no resolve (--input rxt)"])
    print(f"warm / no-resolve rez env    {warm / no_resolve:.2f}")
    if len({tuple(c) for c in codes.values()}) != 1:
        print("WARNING: exit codes differ between stock rez and pyrer")
    hits = [json.loads(line)["counters"] for line in warm_metrics]
    served = sum(c.get("hit", 0) for c in hits)
    print(f"shim (warm pass): {served}/{len(hits)} resolves served by pyrer")
    if args.json:
        args.json.write_text(json.dumps({"requests": requests, "floor": floor, "times": times}))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
