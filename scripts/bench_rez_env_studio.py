"""`rez env` with a studio-style rezconfig (package filter and orderer), with and without
`--time`: stock rez vs rez + pyrer, fresh processes.

The rezconfig both set-ups share hides beta, test and nightly versions with a global
``package_filter`` and orders one family ascending with a ``per_family`` orderer (and
python with a ``version_split``), as studio configurations do. Over a sample of rez's
benchmark requests (every k-th of the 188), each request runs as
``rez env <request> [--time T] -- true`` in a new process:

- stock: rez 3.4 on the plain filesystem repository;
- pyrer: the solver shim (one rezconfig line) and a ``pyrer@`` path, warm memo (one
  priming pass first).

Reported, per form (without / with ``--time``): totals, medians, stock / pyrer, how many
resolves the shim served (``PYRER_SHIM_METRICS``; issue 13's target: every one; a resolve
pyrer finds failed is answered by rez's solver, for rez's messages; a requested range with
no package raises rez's PackageNotFoundError from the shim itself), and
whether the ``REZ_*`` environments are identical (issue 13's target: yes), compared
through ``rez env ... -- python -c <dump REZ_* as JSON>`` once per request and form.

    .venv/bin/python scripts/bench_rez_env_studio.py [--sample 12] [--time T ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import rez

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from bench_rez_env import run, sample  # noqa: E402

BENCH = Path(rez.__file__).parent / "data" / "benchmarking"
BIN = Path(sys.executable).parent
SHIM_LINE = "import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve\n"

STUDIO_CONFIG = """
package_filter = [
    {"excludes": ["glob(*.beta*)", "glob(*.test*)", "glob(*.nightly*)"]},
]
package_orderers = [
    {"type": "per_family", "orderers": [
        {"packages": ["armoire"], "type": "sorted", "descending": False},
    ]},
    {"type": "version_split", "first_version": "2.7.16", "packages": ["python"]},
]
"""

DUMP = (
    "import json, os; "
    "print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('REZ_')}))"
)
# differ between any two runs of the same request (files, clock, the config file the
# set-up uses)
VOLATILE = {
    "REZ_CONTEXT_FILE",
    "REZ_RXT_FILE",
    "REZ_USED_TIMESTAMP",
    "REZ_SHELL_INIT_TIMESTAMP",
    "REZ_CONFIG_FILE",
}


def rez_env_vars(cmd: list[str], env: dict[str, str]) -> dict[str, str] | str:
    proc = subprocess.run(
        [*cmd, "--", sys.executable, "-c", DUMP], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:  # rez's error line, less its time of day
        last = (proc.stderr.strip().splitlines() or [""])[-1]
        return f"exit {proc.returncode}: {last.split(' ', 1)[-1]}"
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {k: v for k, v in data.items() if k not in VOLATILE}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=12, help="requests (0: all 188)")
    parser.add_argument(
        "--time",
        type=int,
        action="append",
        help="a --time value (repeatable; default: 1600131000, after the newest release of"
        " the benchmark repository, and 1600130920, which hides the last releases)",
    )
    parser.add_argument("--json", type=Path, help="write the raw timings here")
    args = parser.parse_args()

    from demo import unpack

    repo = unpack(ROOT / ".demo-data").resolve()
    requests = sample(json.loads((BENCH / "requests.json").read_text()), args.sample)
    work = Path(tempfile.mkdtemp(prefix="pyrer-studio-"))
    stock_cfg, pyrer_cfg = work / "stock.py", work / "pyrer.py"
    stock_cfg.write_text(STUDIO_CONFIG + f"packages_path = [{str(repo)!r}]\n")
    pyrer_cfg.write_text(SHIM_LINE + STUDIO_CONFIG + f"packages_path = [{f'pyrer@{repo}'!r}]\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    metrics = work / "metrics.jsonl"
    envs = {
        "stock": dict(base, REZ_CONFIG_FILE=str(stock_cfg)),
        "pyrer": dict(
            base,
            REZ_CONFIG_FILE=str(pyrer_cfg),
            PYRER_SHIM_METRICS=str(metrics),
            PYRER_MEMO_DIR=str(work / "memo"),
        ),
    }
    times_ = args.time or [1600131000, 1600130920]
    forms = {"no --time": [], **{f"--time {t}": ["--time", str(t)] for t in times_}}
    rez_env = [str(BIN / "rez"), "env"]

    for request in requests:  # prime the memo
        run([*rez_env, *request, "--", "true"], envs["pyrer"])

    results: dict[str, dict[str, object]] = {}
    for form, extra in forms.items():
        metrics.unlink(missing_ok=True)
        times: dict[str, list[float]] = {"stock": [], "pyrer": []}
        same = 0
        differing: list[str] = []
        for request in requests:
            cmd = [*rez_env, *request, *extra]
            for name in ("stock", "pyrer"):
                times[name].append(run([*cmd, "--", "true"], envs[name])[0])
        hits = [json.loads(line)["counters"] for line in metrics.read_text().splitlines()]
        for request in requests:
            cmd = [*rez_env, *request, *extra]
            ours, theirs = rez_env_vars(cmd, envs["pyrer"]), rez_env_vars(cmd, envs["stock"])
            if ours == theirs:
                same += 1
            else:
                differing.append(" ".join(request))
        served = sum(c.get("hit", 0) for c in hits)
        fallbacks: dict[str, int] = {}
        for c in hits:
            for k, v in c.items():
                if k.startswith(("fallback", "miss")):
                    fallbacks[k] = fallbacks.get(k, 0) + v
        stock, ours_t = sum(times["stock"]), sum(times["pyrer"])
        print(f"\n{len(requests)} requests, `rez env <request> {' '.join(extra)} -- true`")
        for name, ts in times.items():
            print(
                f"  {name:6} total {sum(ts):7.2f} s   median {statistics.median(ts) * 1000:6.0f} ms"
            )
        print(f"  stock / pyrer           {stock / ours_t:.1f}x   (issue 13 target: >= 5x)")
        print(f"  served by pyrer         {served}/{len(hits)}   fallbacks/misses: {fallbacks}")
        print(f"  identical REZ_* envs    {same}/{len(requests)}   differing: {differing}")
        results[form] = {"times": times, "served": served, "resolves": len(hits), "same": same}
    if args.json:
        args.json.write_text(json.dumps({"requests": requests, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
