"""A solved resolve in the shape rez's `Resolver._solver_to_dict` reads from a `Solver`."""

from __future__ import annotations

from typing import Any

import pyrer
from rez.solver import SolverStatus, _get_dependency_order
from rez.vendor.pygraph.classes.digraph import digraph
from rez.version import Requirement, RequirementList, Version

# rez's colours and styles for resolve graphs (rez.solver._ResolvePhase.get_graph)
_NODE_COLOR = "#F6F6F6"
_REQUEST_COLOR = "#FFFFAA"
_SOLVED_COLOR = "#AAFFAA"
_FONTSIZE = 10


class ResolvedVariant:
    """What `_solver_to_dict` reads of rez's `PackageVariant`: a handle dict (and names)."""

    def __init__(
        self, name: str, version: str, index: int | None, handle: dict[str, Any],
        requires: list[str],
    ) -> None:
        self.name = name
        self.version_text = version  # canonical: as rez prints it
        self.index = index
        self._handle = handle
        self.requires = requires
        self._parsed: Version | None = None

    @property
    def version(self) -> Version:
        if self._parsed is None:
            self._parsed = Version(self.version_text)
        return self._parsed

    @property
    def handle(self) -> dict[str, Any]:
        return dict(self._handle)

    def __str__(self) -> str:
        # rez's `str(VersionedObject.construct(name, version))`: the version
        # string is canonical (a version directory's name, as rez prints it)
        stmt = f"{self.name}-{self.version_text}" if self.version_text else self.name
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
        scope_order: list[str] | None = None,
    ) -> None:
        self.package_requests = requests
        self.resolved_packages = resolved
        self.resolved_ephemerals = [Requirement(e) for e in ephemerals]
        self.solve_time = solve_time
        self.load_time = load_time
        self.num_iterations = num_iterations
        self.extractions = list(extractions or [])
        # pyrer's final phase order; rebuilt from the resolve where not given
        self.scope_order = list(scope_order or [])

    def failure_description(self, failure_index: int | None = None) -> str:
        return ""

    def get_graph(self) -> digraph:
        """rez's graph of the solved resolve (`_ResolvePhase.get_graph` of its
        final phase), node for node and edge for edge.

        Built with pyrer's Rust version algebra (rez's, faithfully ported, and
        much faster); should it raise where rez would not, rez's own classes
        build the same graph.
        """
        try:
            return self._build_graph(_PyrerAlgebra())
        except Exception:
            return self._build_graph(_RezAlgebra())

    def _build_graph(self, alg: _Algebra) -> digraph:
        g = digraph()
        counter = [0]
        # rez keys request nodes on Requirement objects, whose hash is their
        # string; the string is the key here
        request_nodes: dict[str, str] = {}
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

        neighbors, incidence = g.node_neighbors, g.node_incidence
        properties, edge_attrs = g.edge_properties, g.edge_attr

        def add_edge(id1: str, id2: str, arrowsize: str = "0.5") -> tuple[str, str]:
            # `digraph.add_edge(e)` then `add_edge_attribute(e, ("arrowsize",
            # ...))`, written straight into the graph's tables: the same
            # entries in the same order, without the eight calls per edge
            # (a resolve of a few hundred packages draws about a thousand)
            e = (id1, id2)
            if e in properties:
                g.del_edge(e)
            neighbors[id1].append(id2)
            incidence[id2].append(id1)
            properties[e] = {"weight": 1, "label": ""}
            edge_attrs[e] = [("arrowsize", arrowsize)]
            return e

        def add_request_node(request: Any, initial: bool = False) -> str:
            key = str(request)
            id_ = request_nodes.get(key)
            if id_ is None:
                color = _REQUEST_COLOR if initial else _NODE_COLOR
                id_ = add_node(key, color, "filled,dashed")
                request_nodes[key] = id_
                requests_by_node[id_] = request
            return id_

        requests_by_node: dict[str, Any] = {}
        requires_of = {
            v.name: alg.merged([alg.req(r) for r in v.requires])[0]
            for v in self.resolved_packages
        }
        request_list = alg.merged([alg.req(str(r)) for r in self.package_requests])[0]
        for request in request_list:
            add_request_node(request, True)
        variants = {v.name: v for v in self.resolved_packages}
        ephemerals = {e.name: alg.req(str(e)) for e in self.resolved_ephemerals}
        for name in self._scope_order(request_list, requires_of):
            if name in variants:
                scope_nodes[name] = add_node(str(variants[name]), _SOLVED_COLOR, "filled")
            else:  # an ephemeral's scope is drawn as its range
                scope_nodes[name] = add_node(str(ephemerals[name]), _NODE_COLOR, "filled")
        for request in request_list:
            id1 = request_nodes.get(str(request))
            id2 = scope_nodes.get(request.name)
            if id1 is not None and id2 is not None:
                add_edge(id1, id2)
        for variant in self.resolved_packages:
            for request in requires_of[variant.name]:
                add_edge(scope_nodes[variant.name], add_request_node(request))
        # the final phase's extractions, and where extracted requests merged
        extracted: dict[str, list[Any]] = {}
        for src_fam, text in self.extractions:
            dest = alg.req(text)
            extracted.setdefault(dest.name, []).append(dest)
            id1 = scope_nodes.get(src_fam)
            if id1 is not None:
                add_edge(id1, add_request_node(dest))
        for requests in extracted.values():
            if len(requests) < 2:
                continue
            merged_list, conflict = alg.merged(requests)
            if conflict:
                continue
            merged = next(r for r in merged_list if r.name == requests[0].name)
            for request in requests:
                if str(merged) != str(request):
                    e = add_edge(add_request_node(request), add_request_node(merged), "1")
                    g.add_edge_attribute(e, ("arrowhead", "odot"))
        # connect leaf requests to the scope they are satisfied by
        for id1 in list(request_nodes.values()):
            request = requests_by_node[id1]
            if g.neighbors(id1) or request.name not in scope_nodes:
                continue
            variant = variants.get(request.name)
            if variant is not None:
                scope_request = alg.req(f"{variant.name}=={variant.version_text}")
            else:
                scope_request = ephemerals[request.name]
            if not request.conflicts_with(scope_request):
                add_edge(id1, scope_nodes[request.name])
        return g

    def _scope_order(self, request_list: list[Any], requires_of: dict[str, list[Any]]) -> list[str]:
        """The order of rez's final phase scopes (`_ResolvePhase.finalise`), packages and
        ephemerals together: dependencies first, else request order."""
        scopes = {v.name for v in self.resolved_packages}
        scopes.update(e.name for e in self.resolved_ephemerals)
        if self.scope_order and set(self.scope_order) == scopes:
            return self.scope_order
        g = digraph()
        g.add_nodes([v.name for v in self.resolved_packages])
        g.add_nodes([e.name for e in self.resolved_ephemerals])
        for variant in self.resolved_packages:
            for req in requires_of[variant.name]:
                if not req.conflict and not g.has_edge((variant.name, req.name)):
                    g.add_edge((variant.name, req.name))
        return _get_dependency_order(g, [r.name for r in request_list])


class _Algebra:
    """Requirements and their merging (rez's `RequirementList`), by string."""

    def req(self, text: str) -> Any:
        raise NotImplementedError

    def merged(self, reqs: list[Any]) -> tuple[list[Any], bool]:
        """The merged requirements, and whether they conflict."""
        raise NotImplementedError


class _PyrerAlgebra(_Algebra):
    def __init__(self) -> None:
        self._parsed: dict[str, Any] = {}

    def req(self, text: str) -> Any:
        req = self._parsed.get(text)
        if req is None:
            req = self._parsed[text] = pyrer.Requirement(text)
        return req

    def merged(self, reqs: list[Any]) -> tuple[list[Any], bool]:
        merged = pyrer.RequirementList([str(r) for r in reqs])
        return [self.req(str(r)) for r in merged.requirements], merged.conflict is not None


class _RezAlgebra(_Algebra):
    def req(self, text: str) -> Any:
        return Requirement(text)

    def merged(self, reqs: list[Any]) -> tuple[list[Any], bool]:
        merged = RequirementList(reqs)
        return list(merged.requirements), bool(merged.conflict)
