"""The pyrer.solve Python contract: argument types, statuses, the result
surface and the load_family callback semantics (see the integration guide).

Resolve correctness against rez is covered by the differential tests
(test_solver_*); these tests pin the API behaviour around it.
"""

from __future__ import annotations

import threading
from typing import Any

import pyrer
import pytest
from pyrer import PackageData as P
from solver_harness import memory_repo_path, pyrer_outcome, run_rez

REPO = [
    P("app", "1.0", ["lib-1"]),
    P("app", "2.0", ["lib-2+", "tool"]),
    P("lib", "1.5"),
    P("lib", "2.1", [], [["py-2"], ["py-3"]]),
    P("py", "2.7"),
    P("py", "3.9"),
    P("tool", "1", ["!app-1"]),
]


def rez_answer(request: list[str], packages: list[P]) -> Any:
    """rez 3.4's own answer for ``request`` over ``packages``."""
    data: dict[str, dict[str, dict[str, Any]]] = {}
    for p in packages:
        data.setdefault(p.name, {})[p.version] = {
            "name": p.name,
            "version": p.version,
            "requires": list(p.requires),
            "variants": [list(v) for v in p.variants],
        }
    return run_rez(request, [memory_repo_path(data)]).outcome.key()


def by_family(packages: list[P]) -> dict[str, list[P]]:
    out: dict[str, list[P]] = {}
    for p in packages:
        out.setdefault(p.name, []).append(p)
    return out


def test_solved_result_surface() -> None:
    r = pyrer.solve(["app"], REPO)
    assert r.status == "solved"
    assert r.failure_description is None
    assert pyrer_outcome(r).key() == rez_answer(["app"], REPO)
    lib = next(v for v in r.resolved_packages if v.name == "lib")
    assert lib.variant_index is not None
    assert lib.requires == list(REPO[3].variants[lib.variant_index])
    assert lib.uri == f"lib/2.1/package.py[{lib.variant_index}]"
    app = next(v for v in r.resolved_packages if v.name == "app")
    assert app.variant_index is None
    assert app.uri == "app/2.0/package.py[]"
    assert [(v.name, v.version, v.variant_index) for v in r.resolved_packages] == r.resolved
    assert r.num_iterations >= 1
    assert r.solve_time_ms >= 0.0


def test_repository_gives_the_same_answers() -> None:
    repo = pyrer.Repository(REPO)
    assert len(repo) == len(REPO)
    assert repo.families() == ["app", "lib", "py", "tool"]
    for request in (["app"], ["app-1"], ["lib", "py-2"], ["app", "!tool"]):
        a, b = pyrer.solve(request, REPO), pyrer.solve(request, repo)
        assert (a.status, a.resolved) == (b.status, b.resolved)


def test_failed_and_error_are_statuses() -> None:
    failed = pyrer.solve(["app-1", "lib-2"], REPO)
    assert failed.status == "failed"
    assert failed.failure_description
    missing = pyrer.solve(["nosuch"], REPO)
    assert missing.status == "error"
    assert "nosuch" in (missing.failure_description or "")
    bad = pyrer.solve(["app-3+<2"], REPO)
    assert bad.status == "error"
    mode = pyrer.solve(["app"], REPO, variant_select_mode="fastest")
    assert mode.status == "error"
    dup = pyrer.solve(["app"], [P("app", "1"), P("app", "1.0"), P("app", "1")])
    assert dup.status == "error"


def test_only_type_error_escapes() -> None:
    with pytest.raises(TypeError):
        pyrer.solve(["app"], "not a list")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pyrer.solve(["app"], [object()])  # type: ignore[list-item]
    assert pyrer.solve(None, REPO).status == "error"  # type: ignore[arg-type]


def test_package_data_constructors() -> None:
    p = P.from_strings("a", "1", None, None)
    assert (p.name, p.version, p.requires, p.variants) == ("a", "1", [], [])
    with pytest.raises(TypeError):
        P.from_strings("a", "1", "not-a-list", None)  # type: ignore[arg-type]

    class SourceCode:  # what rez hands out for @early/@late fields
        pass

    with pytest.raises(TypeError):
        P.from_strings("a", "1", SourceCode(), None)  # type: ignore[arg-type]

    class FakeRequirement:
        def __init__(self, s: str) -> None:
            self.s = s

        def __str__(self) -> str:
            return self.s

    class FakePackage:
        name = "a"
        version = "1.0"
        requires = [FakeRequirement("b-1+")]
        variants = [[FakeRequirement("c")]]

    q = P.from_rez(FakePackage())
    assert (q.name, q.version, q.requires, q.variants) == ("a", "1.0", ["b-1+"], [["c"]])


class Loader:
    """A load_family that records its calls."""

    def __init__(self, packages: list[P]) -> None:
        self.families = by_family(packages)
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, name: str, version_range: str | None = None) -> list[P]:
        self.calls.append((name, version_range))
        return list(self.families.get(name, []))


def test_load_family_matches_eager() -> None:
    for request in (["app"], ["app-1"], ["lib", "py-2"], ["app-1", "lib-2"], ["nosuch"]):
        eager = pyrer.solve(request, REPO)
        lazy = pyrer.solve(request, load_family=Loader(REPO))
        assert (eager.status, eager.resolved) == (lazy.status, lazy.resolved), request
        assert pyrer_outcome(lazy).key() == rez_answer(request, REPO), request


def test_load_family_called_once_per_family_and_range_and_only_when_needed() -> None:
    loader = Loader(REPO + [P("unrelated", "1")])
    r = pyrer.solve(["app-2"], load_family=loader)
    assert r.status == "solved"
    assert len(loader.calls) == len(set(loader.calls))
    assert "unrelated" not in {name for name, _ in loader.calls}
    assert ("app", "2") in loader.calls  # the range hint is the request's range
    assert r.load_family_calls == len(loader.calls)


def test_load_family_one_argument_callbacks_still_work() -> None:
    fams = by_family(REPO)
    seen: list[str] = []

    def load(name: str) -> list[P]:
        seen.append(name)
        return fams.get(name, [])

    r = pyrer.solve(["app"], load_family=load)
    assert r.status == "solved"
    assert "app" in seen


def test_load_family_empty_means_no_family() -> None:
    r = pyrer.solve(["ghost"], load_family=lambda name, version_range=None: [])
    assert r.status == "error"
    assert "ghost" in (r.failure_description or "")


def test_load_family_raising_gives_error_status() -> None:
    def boom(name: str, version_range: str | None = None) -> list[P]:
        raise RuntimeError("network share offline")

    r = pyrer.solve(["app"], load_family=boom)
    assert r.status == "error"
    assert "network share offline" in (r.failure_description or "")


def test_load_family_drops_other_families_and_refuses_duplicates() -> None:
    def noisy(name: str, version_range: str | None = None) -> list[P]:
        return by_family(REPO).get(name, []) + [P("intruder", "1")]

    r = pyrer.solve(["lib"], load_family=noisy)
    assert r.status == "solved"
    assert "intruder" not in {n for n, _, _ in r.resolved}

    def duplicated(name: str, version_range: str | None = None) -> list[P]:
        return [P(name, "1"), P(name, "1")]

    assert pyrer.solve(["lib"], load_family=duplicated).status == "error"


def test_load_family_not_called_for_seeded_families() -> None:
    loader = Loader(REPO)
    seed = [p for p in REPO if p.name == "app"]
    r = pyrer.solve(["app"], seed, load_family=loader)
    assert r.status == "solved"
    assert "app" not in {name for name, _ in loader.calls}


def test_load_family_widened_when_a_backtrack_needs_more() -> None:
    # A hint-respecting loader: it returns only versions inside the range.
    import rez.version as rv

    fams = by_family(REPO)
    calls: list[tuple[str, str | None]] = []

    def strict(name: str, version_range: str | None = None) -> list[P]:
        calls.append((name, version_range))
        pkgs = fams.get(name, [])
        if version_range is None:
            return pkgs
        rng = rv.VersionRange(version_range)
        return [p for p in pkgs if rv.Version(p.version) in rng]

    for request in (["app"], ["app-1"], ["lib-1", "app"], ["tool", "lib"]):
        eager = pyrer.solve(request, REPO)
        lazy = pyrer.solve(request, load_family=strict)
        assert (eager.status, eager.resolved) == (lazy.status, lazy.resolved), request


def test_solves_run_in_threads() -> None:
    repo = pyrer.Repository(REPO)
    results: list[Any] = []

    def work() -> None:
        for _ in range(200):
            results.append(pyrer.solve(["app"], repo).resolved)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 800
    assert all(r == results[0] for r in results)
