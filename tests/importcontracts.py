"""An import-linter contract the package has none of: no cycles between the given
packages (our apps), whatever layer they sit in. ``layers`` forbids importing upwards and
``acyclic_siblings`` cycles inside an app; apps of one layer that may use each other (a
domain app calling another's actions) must still not do so both ways."""

from importlinter.application import contract_utils, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AcyclicPackagesContract(Contract):
    type_name = "acyclic_packages"

    packages = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        packages = sorted(self.packages)  # type: ignore[arg-type]
        edges = {
            a: {
                b
                for b in packages
                if b != a and graph.direct_import_exists(importer=a, imported=b, as_packages=True)
            }
            for a in packages
        }
        cycles = _cycles(edges)
        return ContractCheck(
            kept=not cycles,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={
                "cycles": [
                    [(a, b, _example(graph, a, b)) for a, b in zip(cycle, cycle[1:], strict=False)]
                    for cycle in cycles
                ]
            },
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            path = " -> ".join([cycle[0][0], *(b for _, b, _ in cycle)])
            output.print_error(f"Cycle between apps: {path}")
            for a, b, example in cycle:
                output.print_error(f"  {a} -> {b}: {example}", bold=False)
            output.new_line()


def _example(graph, a: str, b: str) -> str:
    found = graph.find_matching_direct_imports(import_expression=f"{a}.** -> {b}.**")
    found += graph.find_matching_direct_imports(import_expression=f"{a} -> {b}.**")
    found += graph.find_matching_direct_imports(import_expression=f"{a}.** -> {b}")
    return ", ".join(sorted({f"{i['importer']} -> {i['imported']}" for i in found})[:3])


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a closed path) for each group of packages that import each other."""
    cycles = []
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        group = {start} | {n for n in _reachable(edges, start) if start in _reachable(edges, n)}
        done |= group
        if len(group) > 1:
            cycles.append(_path_back(edges, start, group))
    return cycles


def _reachable(edges, start) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _path_back(edges, start, group) -> list[str]:
    """The shortest path from ``start`` back to itself, inside the group."""
    paths, todo = {start: [start]}, [start]
    while todo:
        node = todo.pop(0)
        for nxt in sorted(edges[node] & group):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                todo.append(nxt)
    return [start, start]
