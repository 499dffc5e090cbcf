"""analyze(Notebook) -> Analysis: the single entry point of the pure analysis. Never raises on
user code; every problem is a diagnostic with cell, line and column."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Mapping

from ..model.diagnostics import Diagnostic, Severity
from ..model.notebook import Notebook
from ..model.pipeline import FileInput, Need, Pipeline, Stage
from . import flows, stages
from .declared import declare
from .params import literal_assignments
from .bindings import StageFlow
from .facts import Bind, CellFacts
from .own_modules import cell_written_sources
from .symbols import analyse_cell


class CellCache:
    """Per-cell facts keyed by source text, so an edit re-analyses only the edited cell."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._facts: OrderedDict[str, CellFacts] = OrderedDict()

    def facts(self, source: str) -> CellFacts:
        found = self._facts.get(source)
        if found is None:
            found = analyse_cell(source)
            self._facts[source] = found
            if len(self._facts) > self._size:
                self._facts.popitem(last=False)
        else:
            self._facts.move_to_end(source)
        return found


_DEFAULT_CACHE = CellCache()


@dataclass(frozen=True)
class Analysis:
    notebook: Notebook
    pipeline: Pipeline

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.pipeline.diagnostics

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors


def analyze(notebook: Notebook, by_headings: int | None = None,
            cache: CellCache | None = None,
            local_modules: Mapping[str, str] | None = None,
            module_sources: Mapping[str, str] | None = None) -> Analysis:
    """`local_modules`: the notebook's own modules beside it, {module: path relative to the
    notebook's folder} (files.local_modules reads them; the analysis touches no disk);
    `module_sources`: the source of those a star import imports (files.module_sources), for
    the names it binds. A module a `%%writefile` cell writes has that cell's body as source."""
    cache = cache or _DEFAULT_CACHE
    grouping = stages.group(notebook, by_headings)
    diags: list[Diagnostic] = list(grouping.diagnostics)
    cells = {c.index: c for c in notebook.cells}
    facts: dict[int, CellFacts] = {}
    for s in grouping.stages:
        for index in s.code:
            facts[index] = f = cache.facts(cells[index].source)
            for p in f.problems:
                diags.append(Diagnostic(p.code, Severity(p.severity), p.message, index, p.line,
                                        p.column, p.excerpt))
    params = ()
    if grouping.parameters_cell is not None:
        params = literal_assignments(cells[grouping.parameters_cell].source,
                                     grouping.parameters_cell)
    if any(d.is_error for d in diags) or not grouping.stages:
        return Analysis(notebook, _pipeline(notebook, grouping, (), params, diags))
    # The parameters cell's literals come from params.yaml; the fold treats them as parameters.
    param_lines = {p.line for p in params}
    stage_cells = [(s.name, s.code) for s in grouping.stages]
    metrics_cells = {i for i, r in grouping.roles.items() if r.metrics}
    if grouping.parameters_cell is not None:
        facts[grouping.parameters_cell] = _without_param_bindings(
            facts[grouping.parameters_cell], param_lines) \
            if grouping.parameters_cell in facts else facts.get(grouping.parameters_cell)
    skipped = {i: cache.facts(cells[i].source) for i, r in grouping.roles.items() if r.skip}
    sources = dict(module_sources or {})
    for module, source in cell_written_sources(c.source for c in notebook.code_cells).items():
        sources.setdefault(module, source)
    stage_flows, fold_diags, hands_on = flows.fold(stage_cells, facts, params, metrics_cells,
                                                   skipped, local_modules or {}, sources)
    diags.extend(fold_diags)
    built = []
    for s in grouping.stages:
        f = stage_flows[s.name]
        declared = declare(f, s.code, grouping.roles)
        diags.extend(declared.diagnostics)
        built.append(Stage(
            name=s.name,
            cells=s.code,
            markdown=s.markdown,
            needs=tuple(Need(n, p, _maybe_unbound(stage_flows[p], n))
                        for n, p in sorted(f.needs.items())),
            hands_on=tuple(sorted(hands_on[s.name])),
            params=tuple(sorted(f.params)),
            imports=tuple(f.imports),
            settings=tuple(f.settings),
            settings_after_loads=tuple(f.settings_after_loads),
            definitions=tuple(sorted(f.definitions.values(), key=lambda d: (d.cell, d.source))),
            data_deps=tuple(sorted(f.data_deps)),
            file_inputs=tuple(FileInput(p, w) for p, w in sorted(f.file_inputs.items())),
            outs=tuple(sorted(f.outs)),
            after=tuple(dict.fromkeys(s.after + tuple(f.after))),
            metrics=tuple(f.metrics),
            metrics_files=declared.metrics,
            plots=declared.plots,
            uses_ipython=f.uses_ipython,
            maybe_unbound=tuple(sorted(n for n in set(hands_on[s.name]) | set(f.metrics)
                                       if _maybe_unbound(f, n))),
        ))
    return Analysis(notebook, _pipeline(notebook, grouping, tuple(built), params, diags))


def _maybe_unbound(flow: StageFlow, name: str) -> bool:
    """Bound on some paths only at the end of the stage; or bound by code the analysis cannot
    see (exec, globals()), which the stage's statements do not bind."""
    return name in flow.maybe_unbound or name not in flow.writes


def _without_param_bindings(facts: CellFacts, param_lines: set[int]) -> CellFacts:
    """The parameters cell minus its literal assignments (those are parameters, not values)."""
    effects = tuple(e for e in facts.effects if not (isinstance(e, Bind) and e.line in param_lines))
    return replace(facts, effects=effects)


def _pipeline(notebook, grouping, built, params, diags) -> Pipeline:
    return Pipeline(
        notebook=notebook.path,
        stages=tuple(built),
        params=params,
        parameters_cell=grouping.parameters_cell,
        kernel=notebook.kernel_name,
        diagnostics=tuple(sorted(diags, key=lambda d: (not d.is_error, d.cell or -1,
                                                        d.line or 0, d.code))),
    )
