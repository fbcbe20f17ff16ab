"""The replacement for rez's `Resolver._solve`: pyrer first, rez's solver where needed."""

from __future__ import annotations

import gc
import logging
import os
import time
from typing import Any, Callable, Union

import pyrer
from rez.config import config
from rez.solver import SolverStatus

from . import metrics
from .filters import native_filter
from .loader import FamilyLoader
from .orderers import native_orderers
from .result import PyrerSolver, ResolvedVariant

_logger = logging.getLogger("pyrer.shim")

SolveFn = Callable[[Any], Any]

# rez's `_PackageScope` message when no package of a requested family is in range
NOT_FOUND = "Package could not be found: "


class RezError:
    """The error rez's solver raises for this resolve, which the shim raises itself."""

    def __init__(self, error: Exception) -> None:
        self.error = error


# a solved resolve, rez's error for it, or the reason to run rez's solver
Outcome = Union[PyrerSolver, RezError, str]


def enabled() -> bool:
    """``PYRER_SHIM=0`` (or ``false``/``off``/``no``) switches the shim off."""
    return os.environ.get("PYRER_SHIM", "1").strip().lower() not in ("0", "false", "off", "no")


def validating() -> bool:
    """``PYRER_SHIM_VALIDATE=1``: run both solvers, log divergences, serve rez's answer."""
    return os.environ.get("PYRER_SHIM_VALIDATE", "0").strip().lower() in ("1", "true", "on", "yes")


def shim_solve(resolver: Any, original: SolveFn) -> Any:
    """`Resolver._solve` with the shim: never raises where rez's solver would not."""
    if not enabled():
        metrics.count("disabled")
        return original(resolver)
    try:
        outcome = attempt(resolver)
    except Exception:
        _logger.warning("pyrer shim: unexpected error, running rez's solver", exc_info=True)
        outcome = "shim_error"
    if isinstance(outcome, str):
        if outcome.startswith("pyrer_"):
            metrics.miss(outcome[len("pyrer_") :])
        else:
            metrics.fallback(outcome)
        _logger.debug("pyrer shim: rez's solver runs (%s) for %s", outcome, _request_str(resolver))
        return original(resolver)
    if validating():
        return _shadow(resolver, outcome, original)
    metrics.count("hit")
    if isinstance(outcome, RezError):
        metrics.count("hit.error")
        raise outcome.error
    return outcome


def fallback_reason(resolver: Any) -> str | None:
    """Why rez's own solver must run for this resolver, before trying pyrer; None if it need not."""
    if resolver.verbosity or resolver.print_stats:
        return "verbosity"  # rez's solver prints its steps and stats
    callback = resolver.callback
    if callback is not None:
        from rez.resolved_context import ResolvedContext

        if not isinstance(callback, ResolvedContext.Callback):
            return "callback"
        if callback.max_fails != -1 or callback.time_limit != -1 or callback.callback is not None:
            return "callback"
    return None


def attempt(resolver: Any) -> Outcome:
    """Solve with pyrer; a `PyrerSolver` for a solved resolve, else the fallback reason."""
    reason = fallback_reason(resolver)
    if reason is not None:
        return reason
    # a timestamp (rez env --time) is a TimestampRule in the filter by now
    package_filter = native_filter(resolver.package_filter)
    if isinstance(package_filter, str):
        return package_filter
    package_orderers = native_orderers(resolver.package_orderers)
    if isinstance(package_orderers, str):
        return package_orderers
    t0 = time.time()
    paths = list(resolver.package_paths or config.packages_path)
    loader = FamilyLoader(
        paths,
        building=resolver.building,
        load_callback=resolver.package_load_callback,
        context=resolver.context,
    )
    requests = [str(r) for r in resolver.package_requests]
    # The loader makes thousands of short-lived objects and no cycles: the
    # cyclic GC would only rescan rez's modules over and over meanwhile.
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        result = pyrer.solve(
            requests,
            load_family=loader.chain,
            variant_select_mode=str(config.variant_select_mode),
            package_filter=package_filter,
            package_orderers=package_orderers,
        )
    finally:
        if gc_enabled:
            gc.enable()
    metrics.count("pyrer_solves")
    _logger.debug(
        "pyrer solve: %s -> %s (%.1f ms, %d families loaded)",
        " ".join(requests),
        result.status,
        result.solve_time_ms,
        result.load_family_calls,
    )
    failure = loader.failure
    if failure is not None:
        reason, detail = failure
        _logger.debug("pyrer shim: %s", detail)
        return reason
    if result.status == "error":
        error = rez_error(result.failure_description or "", loader)
        if error is not None:
            return error
    if result.status != "solved":
        return f"pyrer_{result.status}"
    resolved = [
        ResolvedVariant(
            v.name, v.version, v.variant_index,
            loader.variant_handle(v.name, v.version, v.variant_index), list(v.requires),
        )
        for v in result.resolved_packages
    ]
    return PyrerSolver(
        requests=list(resolver.package_requests),
        resolved=resolved,
        ephemerals=list(result.resolved_ephemerals),
        solve_time=time.time() - t0,
        load_time=result.load_time_ms / 1e3,
        num_iterations=result.num_iterations,
        extractions=list(result.extractions),
        scope_order=list(result.scope_order),
    )


def rez_error(description: str, loader: FamilyLoader) -> RezError | None:
    """The error rez's solver raises for pyrer's errored resolve, where pyrer
    knows it exactly: a requested range with no package in it
    (`PackageNotFoundError`, rez's message), with every family read by
    pyrer's own loaders, so that the packages rez would have validated on
    the way are the ones pyrer read (a package rez fails to load sends the
    resolve to rez's solver before this). Others (a missing family, whose
    message names the searched paths, say) are left to rez's solver."""
    if not description.startswith(NOT_FOUND) or not loader.all_native:
        return None
    from rez.exceptions import PackageNotFoundError

    return RezError(PackageNotFoundError(description))


def _shadow(resolver: Any, ours: PyrerSolver | RezError, original: SolveFn) -> Any:
    """Run rez's solver as well; log any divergence; rez's answer is the one served."""
    metrics.count("validated")
    try:
        theirs = original(resolver)
    except Exception as e:
        if isinstance(ours, RezError) and (type(e), str(e)) == (type(ours.error), str(ours.error)):
            metrics.count("hit")
            raise
        metrics.count("divergences")
        _logger.warning(
            "pyrer shim DIVERGED for %s: pyrer %s, rez raised %s: %s",
            _request_str(resolver),
            f"raised {ours.error!r}" if isinstance(ours, RezError) else f"solved {_answer(ours)}",
            type(e).__name__,
            e,
        )
        raise
    if isinstance(ours, RezError):
        metrics.count("divergences")
        _logger.warning("pyrer shim DIVERGED for %s: pyrer raised %s, rez %s",
                        _request_str(resolver), ours.error, theirs.status.name)
        return theirs
    mine, rez = _answer(ours), None
    if theirs.status == SolverStatus.solved:
        rez = [(v.name, str(v.version), v.index) for v in theirs.resolved_packages]
        rez_eph = [str(e) for e in theirs.resolved_ephemerals]
        same = rez == mine and rez_eph == [str(e) for e in ours.resolved_ephemerals]
    else:
        same = False
    if same:
        metrics.count("hit")
    else:
        metrics.count("divergences")
        _logger.warning(
            "pyrer shim DIVERGED for %s:\n  pyrer: %s\n  rez:   %s",
            _request_str(resolver),
            mine,
            rez if rez is not None else f"{theirs.status.name}",
        )
    return theirs


def _answer(solver: PyrerSolver) -> list[tuple[str, str, int | None]]:
    return [(v.name, str(v.version), v.index) for v in solver.resolved_packages]


def _request_str(resolver: Any) -> str:
    return " ".join(str(r) for r in resolver.package_requests)
