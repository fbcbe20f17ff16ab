"""A solved resolve in the shape rez's `Resolver._solver_to_dict` reads from a `Solver`."""

from __future__ import annotations

from typing import Any

from rez.packages import Variant
from rez.solver import SolverStatus, _get_dependency_order
from rez.vendor.pygraph.classes.digraph import digraph
from rez.version import Requirement, RequirementList, Version, VersionedObject, VersionRange

# rez's colours and styles for resolve graphs (rez.solver._ResolvePhase.get_graph)
_NODE_COLOR = "#F6F6F6"
_REQUEST_COLOR = "#FFFFAA"
_SOLVED_COLOR = "#AAFFAA"
_FONTSIZE = 10


class ResolvedVariant:
    """What `_solver_to_dict` reads of rez's `PackageVariant`: a handle dict (and names)."""

    def __init__(self, variant: Variant, requires: list[str]) -> None:
        self.variant = variant
        self.requires = requires

    @property
    def name(self) -> str:
        return str(self.variant.name)

    @property
    def version(self) -> Version:
        return self.variant.version

    @property
    def index(self) -> int | None:
        return self.variant.index

    @property
    def handle(self) -> dict[str, Any]:
        return self.variant.handle.to_dict()

    def __str__(self) -> str:
        stmt = VersionedObject.construct(self.name, self.version)
        return f"{stmt}[{'' if self.index is None else self.index}]"


class PyrerSolver:
    """A solved resolve from `pyrer.solve`, read by rez like its own `Solver`.

    The shim only returns solved resolves (rez's solver runs for failures), so
    `status` is always `SolverStatus.solved`.
    """

    status = SolverStatus.solved
    abort_reason: str | None = None

    def __init__(
        self,
        requests: list[Requirement],
        resolved: list[ResolvedVariant],
        ephemerals: list[str],
        solve_time: float,
        load_time: float,
        num_iterations: int = 0,
        extractions: list[tuple[str, str]] | None = None,
    ) -> None:
        self.package_requests = requests
        self.resolved_packages = resolved
        self.resolved_ephemerals = [Requirement(e) for e in ephemerals]
        self.solve_time = solve_time
        self.load_time = load_time
        self.num_iterations = num_iterations
        self.extractions = list(extractions or [])

    def failure_description(self, failure_index: int | None = None) -> str:
        return ""

    def get_graph(self) -> digraph:
        """rez's graph of a solved resolve, built from the answer.

        Node for node as rez's final-phase graph (the requests, the resolved
        variants, their requirements, and the edges between them, with rez's
        ids, labels and styles), except for the extraction edges rez draws for
        requirements it pulled out during the last phase of its search: those
        record rez's search path, which pyrer's answer does not carry.
        """
        g = digraph()
        counter = [0]
        request_nodes: dict[Requirement, str] = {}
        scope_nodes: dict[str, str] = {}

        def add_node(label: str, color: str, style: str) -> str:
            counter[0] += 1
            id_ = f"_{counter[0]}"
            attrs = [
                ("label", label),
                ("fontsize", _FONTSIZE),
                ("fillcolor", color),
                ("style", f'"{style}"'),
            ]
            g.add_node(id_, attrs=attrs)
            return id_

        def add_edge(id1: str, id2: str, arrowsize: str = "0.5") -> tuple[str, str]:
            e = (id1, id2)
            if g.has_edge(e):
                g.del_edge(e)
            g.add_edge(e)
            g.add_edge_attribute(e, ("arrowsize", arrowsize))
            return e

        def add_request_node(request: Requirement, initial: bool = False) -> str:
            id_ = request_nodes.get(request)
            if id_ is None:
                color = _REQUEST_COLOR if initial else _NODE_COLOR
                id_ = add_node(str(request), color, "filled,dashed")
                request_nodes[request] = id_
            return id_

        # rez parses each variant's requirements once per graph; so do we
        parsed: dict[str, Requirement] = {}

        def requirement(text: str) -> Requirement:
            req = parsed.get(text)
            if req is None:
                req = parsed[text] = Requirement(text)
            return req

        requires_of = {
            v.name: RequirementList([requirement(r) for r in v.requires]).requirements
            for v in self.resolved_packages
        }
        request_list = RequirementList(self.package_requests).requirements
        for request in request_list:
            add_request_node(request, True)
        variants = {v.name: v for v in self.resolved_packages}
        ephemerals = {e.name: e for e in self.resolved_ephemerals}
        for name in self._scope_order(request_list, requires_of):
            if name in variants:
                scope_nodes[name] = add_node(str(variants[name]), _SOLVED_COLOR, "filled")
            else:  # an ephemeral's scope is drawn as its range
                scope_nodes[name] = add_node(str(ephemerals[name]), _NODE_COLOR, "filled")
        for request in request_list:
            id1 = request_nodes.get(request)
            id2 = scope_nodes.get(request.name)
            if id1 is not None and id2 is not None:
                add_edge(id1, id2)
        for variant in self.resolved_packages:
            for request in requires_of[variant.name]:
                add_edge(scope_nodes[variant.name], add_request_node(request))
        # the final phase's extractions, and where extracted requests merged
        # (rez's _ResolvePhase.get_graph)
        extracted: dict[str, list[Requirement]] = {}
        for src_fam, text in self.extractions:
            dest = requirement(text)
            extracted.setdefault(dest.name, []).append(dest)
            id1 = scope_nodes.get(src_fam)
            if id1 is not None:
                add_edge(id1, add_request_node(dest))
        for requests in extracted.values():
            if len(requests) < 2:
                continue
            merged_list = RequirementList(requests)
            if merged_list.conflict:
                continue
            merged = merged_list.get(requests[0].name)
            for request in requests:
                if merged != request:
                    e = add_edge(add_request_node(request), add_request_node(merged), "1")
                    g.add_edge_attribute(e, ("arrowhead", "odot"))
        # connect leaf requests to the scope they are satisfied by
        for request, id1 in request_nodes.items():
            if g.neighbors(id1) or request.name not in scope_nodes:
                continue
            variant = variants.get(request.name)
            if variant is not None:
                scope_request = Requirement.construct(
                    variant.name, VersionRange.from_version(variant.version, "==")
                )
            else:
                scope_request = ephemerals[request.name]
            if not request.conflicts_with(scope_request):
                add_edge(id1, scope_nodes[request.name])
        return g

    def _scope_order(
        self, request_list: list[Requirement], requires_of: dict[str, list[Requirement]]
    ) -> list[str]:
        """The order of rez's final phase scopes (`_ResolvePhase.finalise`), packages and
        ephemerals together: dependencies first, else request order."""
        g = digraph()
        g.add_nodes([v.name for v in self.resolved_packages])
        g.add_nodes([e.name for e in self.resolved_ephemerals])
        for variant in self.resolved_packages:
            for req in requires_of[variant.name]:
                if not req.conflict and not g.has_edge((variant.name, req.name)):
                    g.add_edge((variant.name, req.name))
        return _get_dependency_order(g, [r.name for r in request_list])
