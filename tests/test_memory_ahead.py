"""The allocator's first memory, faulted in ahead (``rust_core/src/memory_ahead.rs``).

Each check runs in a fresh interpreter, since the region is set up when the
library is loaded. Page faults are counted, not timed: with the region
faulted in, a solve's first touches of its heap are not faults any more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

PROBE = textwrap.dedent(
    """
    import json, os, resource, time

    EXPECT_KIB = int(os.environ["EXPECT_KIB"])

    def rss_kib():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    before = rss_kib()
    import pyrer
    # the region is faulted in on a thread of its own: wait for it (a
    # region that never comes shows as too little growth below)
    deadline = time.monotonic() + 10
    while rss_kib() - before < EXPECT_KIB and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    grown = rss_kib() - before

    packages = [
        pyrer.PackageData.from_strings(
            f"fam{f}", f"{v}.0", [f"fam{f + 1}-{v}+"] if f < 59 else [], []
        )
        for f in range(60)
        for v in range(50)
    ]
    start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    repository = pyrer.Repository(packages)
    result = pyrer.solve(["fam0"], repository)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start
    print(json.dumps({
        "grown_kib": grown,
        "faults": faults,
        "status": str(result.status),
        "resolved": [(p.name, str(p.version)) for p in result.resolved_packages],
    }))
    """
)


def probe(ahead_mb: str | None, expect_mib: int = 0) -> dict:
    """Runs PROBE with the setting; waits for RSS to grow by ``expect_mib``."""
    env = {k: v for k, v in os.environ.items() if k != "PYRER_MEMORY_AHEAD_MB"}
    env["EXPECT_KIB"] = str(expect_mib * 1024)
    if ahead_mb is not None:
        env["PYRER_MEMORY_AHEAD_MB"] = ahead_mb
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    result: dict = json.loads(out.stdout)
    return result


def test_the_region_is_faulted_in_and_a_solve_then_takes_fewer_faults() -> None:
    off = probe("0")
    on = probe("16", 16)
    # 16 MiB resident on top of what importing pyrer costs without it
    assert on["grown_kib"] - off["grown_kib"] >= 12 * 1024, (on, off)
    # building 3,000 packages and solving touch a few MiB of fresh heap
    assert off["faults"] >= 300, off
    assert on["faults"] < off["faults"] / 2, (on, off)
    # the same answer either way
    assert on["status"] == off["status"] == "solved"
    assert on["resolved"] == off["resolved"] and len(on["resolved"]) == 60


def test_the_default_and_an_unreadable_setting_fault_in_the_default() -> None:
    off = probe("0")
    for setting in (None, "lots"):
        on = probe(setting, 24)
        # the default is 24 MiB
        assert on["grown_kib"] - off["grown_kib"] >= 20 * 1024, (setting, on, off)
