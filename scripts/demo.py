"""Demo: pyrer's version algebra on rez's own benchmark requests, next to rez.

Parses every requirement of the 188 requests shipped in rez's benchmark data
with pyrer and with rez, merges each request into a RequirementList with both,
and checks that the printed results agree. Prints the timings side by side.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyrer
import rez
from rez.version import Requirement as RezRequirement
from rez.version import RequirementList as RezRequirementList


def load_requests() -> list[list[str]]:
    path = Path(rez.__file__).parent / "data" / "benchmarking" / "requests.json"
    with open(path) as f:
        return json.load(f)


def main() -> int:
    requests = load_requests()
    rounds = 20

    t0 = time.perf_counter()
    for _ in range(rounds):
        ours = [str(pyrer.RequirementList([pyrer.Requirement(s) for s in r])) for r in requests]
    t_ours = (time.perf_counter() - t0) / rounds

    t0 = time.perf_counter()
    for _ in range(rounds):
        theirs = [str(RezRequirementList([RezRequirement(s) for s in r])) for r in requests]
    t_rez = (time.perf_counter() - t0) / rounds

    mismatches = [(a, b) for a, b in zip(ours, theirs) if a != b]
    nreqs = sum(len(r) for r in requests)
    print(f"{len(requests)} benchmark requests, {nreqs} requirement strings")
    print(f"  example: {requests[0]!r}")
    print(f"        -> {ours[0]}")
    print(f"parse + merge, per pass: pyrer {t_ours * 1e3:.2f} ms, rez {t_rez * 1e3:.2f} ms "
          f"({t_rez / t_ours:.1f}x)")
    a, b = pyrer.VersionRange("1+<2"), pyrer.VersionRange("1.5+")
    print(f"VersionRange('1+<2') & VersionRange('1.5+') = {a & b}")
    if mismatches:
        print(f"MISMATCHES with rez: {len(mismatches)}")
        for a, b in mismatches[:5]:
            print(f"  pyrer: {a}\n  rez:   {b}")
        return 1
    print("all results identical to rez")
    return 0


if __name__ == "__main__":
    sys.exit(main())
