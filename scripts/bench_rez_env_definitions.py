"""`rez env` end to end with whole definitions served from the memo (issue #14).

Every 16th of rez's 188 benchmark requests, each ``rez env <request> -- true``
as a fresh process, in the same run:

- stock: rez 3.4 on the plain filesystem repository;
- pyrer: the solver shim and a ``pyrer@`` path, warm memo (after one priming
  pass: solver entries and whole definitions);
- empty: ``rez env -- true`` with pyrer's config (CLI, config, plugins and
  shell; nothing requested), the floor the issue measures against.

It reports totals, medians, the ratios the issue asks for, peak RSS, the
package definition files each warm ``rez env`` opens (strace, when usable)
and whether the environments equal stock rez's.

    .venv/bin/python scripts/bench_rez_env_definitions.py [--every 16] [--empty-runs 10]
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
# Variables that name this run's own files or times, different in every process.
PER_PROCESS = {
    "REZ_CONFIG_FILE", "REZ_CONTEXT_FILE", "REZ_RXT_FILE",
    "REZ_SHELL_INIT_TIMESTAMP", "REZ_USED_TIMESTAMP",  # the time of the resolve
}


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall time (s), exit code and peak RSS (KiB) of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, proc.returncode, usage.ru_maxrss


def environment(cmd: list[str], env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run([*cmd, "--", "env", "-0"], env=env, capture_output=True, check=True)
    pairs = (item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)
    # PYRER_* are this script's own settings, passed through as any variable is
    return {k: v for k, v in pairs if k not in PER_PROCESS and not k.startswith("PYRER_")}


def strace_usable() -> bool:
    if shutil.which("strace") is None:
        return False
    return subprocess.run(["strace", "-o", os.devnull, "true"], capture_output=True).returncode == 0


def definition_opens(cmd: list[str], env: dict[str, str], log: Path) -> int:
    subprocess.run(["strace", "-f", "-e", "trace=open,openat", "-o", str(log), *cmd],
                   env=env, capture_output=True)
    lines = log.read_text().splitlines()
    return sum(1 for line in lines if "/package.py" in line and "ENOENT" not in line)


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=16, help="every k-th benchmark request")
    parser.add_argument("--empty-runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "scripts"))
    from demo import unpack

    repo = unpack(ROOT / ".demo-data").resolve()
    requests = json.loads((BENCH / "requests.json").read_text())[:: args.every]
    work = Path(tempfile.mkdtemp(prefix="pyrer-bench-defs-"))
    stock_cfg, pyrer_cfg = work / "stock.py", work / "pyrer.py"
    stock_cfg.write_text(f"packages_path = [{str(repo)!r}]\n")
    pyrer_cfg.write_text(f"import pyrer.solver_shim\npackages_path = [{f'pyrer@{repo}'!r}]\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REZ_", "PYRER_"))}
    envs = {
        "stock": dict(base, REZ_CONFIG_FILE=str(stock_cfg)),
        "pyrer": dict(base, REZ_CONFIG_FILE=str(pyrer_cfg), PYRER_MEMO_DIR=str(work / "memo")),
    }
    rez_env = [str(BIN / "rez"), "env"]

    for request in requests:  # prime: solver entries and whole definitions
        run([*rez_env, *request, "--", "true"], envs["pyrer"])

    empty = [run([*rez_env, "--", "true"], envs["pyrer"]) for _ in range(args.empty_runs)]
    times: dict[str, list[float]] = {"stock": [], "pyrer": []}
    rss: dict[str, list[int]] = {"stock": [], "pyrer": []}
    codes: dict[str, list[int]] = {"stock": [], "pyrer": []}
    for request in requests:  # interleaved, so drift hits both alike
        for name in ("stock", "pyrer"):
            t, rc, peak = run([*rez_env, *request, "--", "true"], envs[name])
            times[name].append(t)
            codes[name].append(rc)
            rss[name].append(peak)

    same_env = [
        environment([*rez_env, *r], envs["stock"]) == environment([*rez_env, *r], envs["pyrer"])
        for r in requests
    ]
    opens: list[int] | None = None
    if strace_usable():
        opens = [
            definition_opens([*rez_env, *r, "--", "true"], envs["pyrer"], work / "strace.txt")
            for r in requests
        ]

    n = len(requests)
    empty_median = median_ms([t for t, _, _ in empty])
    print(f"{n} requests (every {args.every}th of rez's benchmark), `rez env <request> -- true`, "
          "fresh processes, warm memo")
    print(f"empty rez env -- true (x{args.empty_runs})  median {empty_median:7.0f} ms")
    for name in times:
        print(f"{name:28} total {sum(times[name]):7.2f} s   median {median_ms(times[name]):7.0f} ms"
              f"   peak RSS max {max(rss[name]) / 1024:6.1f} MiB")
    print(f"pyrer median / empty median  {median_ms(times['pyrer']) / empty_median:.2f}"
          "   (target <= 1.4)")
    print(f"stock total / pyrer total    {sum(times['stock']) / sum(times['pyrer']):.1f}x"
          "   (target >= 10)")
    print(f"environments equal to stock  {sum(same_env)}/{n}")
    if opens is not None:
        print(f"package.py opens (warm)      {sum(opens)} in {n} rez env runs")
    else:
        print("package.py opens             not counted (strace unusable here)")
    if codes["stock"] != codes["pyrer"]:
        print("WARNING: exit codes differ between stock rez and pyrer")
    if args.json:
        args.json.write_text(json.dumps({"requests": requests, "empty": empty, "times": times,
                                         "rss": rss, "same_env": same_env, "opens": opens}))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
