"""The main job: `rez env` through pyrer on rez's own benchmark data, next to stock rez.

1. Unpacks rez's benchmark repository (18,226 package.py files shipped with
   rez) under ./.demo-data (once).
2. Indexes it into pyrer's LMDB package memo (``pyrer-index``; embedded, no
   server: the memo lives in ./.demo-data/memo).
3. Runs ``rez env <request> -- true`` twice as fresh processes: stock rez on
   the plain path, and rez with pyrer (the one-line rezconfig of the solver
   shim and a ``pyrer@`` path), prints both timings, and checks that both
   resolved the same packages (the contexts are saved with ``--output``).
4. Solves all 188 benchmark requests in-process with ``pyrer.solve`` through
   the ``pyrer@`` repository's ``load_family`` and checks the answers against
   rez's recorded ones.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pyrer
import rez

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(rez.__file__).parent / "data" / "benchmarking"
BIN = Path(sys.executable).parent
RECORDED = ROOT / "tests" / "data" / "rez_benchmark_results.json"
SHIM_LINE = "import rezplugins.solver_shim  # pyrer: resolve with pyrer.solve\n"


def unpack(dest: Path) -> Path:
    repo = dest / "packages"
    if not (repo / ".complete").exists():
        print(f"unpacking rez's benchmark repository into {dest} ...")
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(BENCH / "packages.tar.gz") as tar:
            tar.extractall(dest)  # noqa: S202 - rez's own data
        (repo / ".complete").touch()
    return repo


def rez_env(request: list[str], config: Path, env: dict[str, str], rxt: Path) -> float:
    """Wall time of one fresh `rez env <request> -- true`, saving the context."""
    cmd = [str(BIN / "rez"), "env", *request, "--output", str(rxt)]
    start = time.perf_counter()
    out = subprocess.run(cmd, env={**env, "REZ_CONFIG_FILE": str(config)},
                         capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return elapsed


def resolved(rxt: Path) -> list[str]:
    from rez.resolved_context import ResolvedContext

    ctx = ResolvedContext.load(str(rxt))
    return [v.qualified_name for v in ctx.resolved_packages or []]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request", type=int, default=74,
                        help="which benchmark request to run with rez env (0-187)")
    args = parser.parse_args()

    data = ROOT / ".demo-data"
    repo = unpack(data)
    memo_dir = data / "memo"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    env = {**base, "PYRER_MEMO_DIR": str(memo_dir)}
    os.environ["PYRER_MEMO_DIR"] = str(memo_dir)  # this process's pyrer@ repositories too

    print("== index the repository into the memo (pyrer-index) ==", flush=True)
    subprocess.run([str(BIN / "pyrer-index"), str(repo)], env=env, check=True)

    requests: list[list[str]] = json.loads((BENCH / "requests.json").read_text())
    request = requests[args.request]
    print(f"\n== rez env, request {args.request}: {' '.join(request)} ==")
    with tempfile.TemporaryDirectory(prefix="pyrer-demo-") as scratch:
        work = Path(scratch)
        stock_cfg, pyrer_cfg = work / "stock_rezconfig.py", work / "pyrer_rezconfig.py"
        stock_cfg.write_text(f"packages_path = [{str(repo)!r}]\n")
        pyrer_cfg.write_text(SHIM_LINE + f"packages_path = [{'pyrer@' + str(repo)!r}]\n")
        t_stock = rez_env(request, stock_cfg, env, work / "stock.rxt")
        t_pyrer = rez_env(request, pyrer_cfg, env, work / "pyrer.rxt")
        stock, ours = resolved(work / "stock.rxt"), resolved(work / "pyrer.rxt")
    floor = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import rez.resolved_context"], env=env, check=True)
        floor.append(time.perf_counter() - start)
    same = stock == ours
    print(f"stock rez:          {t_stock:7.2f} s")
    print(f"rez + pyrer (memo): {t_pyrer:7.2f} s   ({t_stock / t_pyrer:.1f}x faster)")
    print(f"python -c 'import rez.resolved_context' (floor): {min(floor):.2f} s")
    print(f"resolved {len(ours)} packages, {'identical to' if same else 'DIFFERENT from'} "
          f"stock rez: {' '.join(ours[:6])}{' ...' if len(ours) > 6 else ''}")

    print("\n== pyrer.solve over the 188 requests, loading through pyrer@ ==")
    from rez.package_repository import package_repository_manager

    served = package_repository_manager.get_repository(f"pyrer@{repo}")
    recorded = {e["index"]: e for e in json.loads(RECORDED.read_text())["results"]}
    times, agree = [], 0
    for i, req in enumerate(requests):
        start = time.perf_counter()
        result = pyrer.solve(req, load_family=served.load_family)
        times.append(time.perf_counter() - start)
        want = recorded[i]
        agree += (result.status, [list(r) for r in result.resolved]) == (
            want["status"], [list(r) for r in want["resolved"]])
    print(f"{len(requests)} requests in {sum(times):.2f} s (median "
          f"{statistics.median(times) * 1e3:.1f} ms), {agree}/{len(requests)} identical to rez; "
          f"package.py files opened: {served.load_counters['files_read']}")
    return 0 if same and agree == len(requests) else 1


if __name__ == "__main__":
    sys.exit(main())
