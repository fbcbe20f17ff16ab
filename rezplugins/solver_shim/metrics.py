"""Counters of what the solver shim did in this process.

Every `Resolver._solve` rez runs while the shim is active lands in exactly one
outcome: ``hit`` (pyrer's answer served), ``miss`` (pyrer said failed or
error, rez's solver ran so its canonical message is shown), ``fallback``
(pyrer was not asked or its answer was not usable; the reason is counted
under ``fallback.<reason>``) or ``disabled`` (``PYRER_SHIM=0``).
``pyrer_solves`` counts calls of `pyrer.solve`; with shadow validation on
(``PYRER_SHIM_VALIDATE=1``) ``validated`` and ``divergences`` count the
comparisons with rez's solver.

``PYRER_SHIM_METRICS=/some/file.jsonl`` appends one JSON line per process at
exit: ``{"pid": ..., "argv": [...], "counters": {...}}``.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import threading
from collections import Counter

_logger = logging.getLogger("pyrer.shim.metrics")
_lock = threading.Lock()
_counters: Counter[str] = Counter()

OUTCOMES = ("hit", "miss", "fallback", "disabled")


def count(name: str, n: int = 1) -> None:
    with _lock:
        _counters[name] += n


def fallback(reason: str) -> None:
    with _lock:
        _counters["fallback"] += 1
        _counters[f"fallback.{reason}"] += 1


def miss(status: str) -> None:
    with _lock:
        _counters["miss"] += 1
        _counters[f"miss.{status}"] += 1


def snapshot() -> dict[str, int]:
    """The counters so far, as a plain dict (absent counters are 0)."""
    with _lock:
        return dict(_counters)


def reset() -> None:
    with _lock:
        _counters.clear()


def summary() -> str:
    """One line: resolves seen, outcomes, and the fallback/miss reasons."""
    snap = snapshot()
    total = sum(snap.get(k, 0) for k in OUTCOMES)
    reasons = ", ".join(
        f"{k.split('.', 1)[1]}={v}"
        for k, v in sorted(snap.items())
        if k.startswith(("fallback.", "miss."))
    )
    text = (
        f"pyrer shim: {total} resolves: {snap.get('hit', 0)} hits, {snap.get('miss', 0)} misses, "
        f"{snap.get('fallback', 0)} fallbacks, {snap.get('disabled', 0)} disabled"
    )
    if reasons:
        text += f" ({reasons})"
    if snap.get("validated"):
        text += f"; validated {snap['validated']}, divergences {snap.get('divergences', 0)}"
    return text


def _dump_at_exit() -> None:
    path = os.environ.get("PYRER_SHIM_METRICS")
    snap = snapshot()
    if not path:
        return
    line = json.dumps({"pid": os.getpid(), "argv": sys.argv, "counters": snap})
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    except OSError as e:
        _logger.warning("pyrer shim: cannot write metrics to %s: %s", path, e)


atexit.register(_dump_at_exit)
