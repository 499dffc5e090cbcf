"""The fold's handling of files (an artifacts fold): the files each stage reads and writes by
literal path become DVC outs and deps, the edges between stages that carry no variable.

A file written twice is refused; one written only under an if / try is no out (DVC would demand
it) but still orders its readers after the writer; paths after `os.chdir` count in the folder it
moved to; folder listings run after the stages writing there; a notebook function called with a
path writes the file it is given (artifacts.py says which calls read or write what)."""

from __future__ import annotations

import ast
import fnmatch
import posixpath
from dataclasses import replace

from ..model.diagnostics import Diagnostic, Severity, cell_name
from . import dvclive
from .artifacts import file_effects
from .facts import CallSite, CellFacts, PathExpr
from .fold_state import FoldState


class FileFlows(FoldState):
    """Part of flows._Fold: files read and written, and the working directory."""

    def literal(self, name: str) -> str | None:
        binding = self.env.get(name)
        if binding is not None:
            return binding.literal
        param = self.params.get(name)
        return param.value if param is not None and isinstance(param.value, str) else None

    def listing(self, pattern: str) -> None:
        """`glob.glob("parts/*.txt")`, `os.listdir("res")`: the stage sees what earlier stages
        wrote there, so it runs after each of them (an order edge: which files exist is only
        known at run time, so no single file is a dependency)."""
        recursive = pattern.endswith("/**")
        cut = min([i for i in (pattern.find(c) for c in "*?[") if i >= 0] or [len(pattern)])
        folder = pattern[:cut].rsplit("/", 1)[0] if "/" in pattern[:cut] else ""
        writers: dict[str, None] = {}
        for path, (stage, _) in self.file_writer.items():
            if fnmatch.fnmatchcase(path, pattern) or (recursive and path.startswith(
                    pattern[:-2])):
                writers[stage] = None
        for path, stage in list(self.maybe_writer.items()) + list(self.touchers.items()):
            if fnmatch.fnmatchcase(path, pattern):
                writers[stage] = None
        for written, stages in self.folder_writers.items():
            if not written or not folder or written == folder \
                    or written.startswith(folder + "/") or folder.startswith(written + "/"):
                writers.update(stages)
        for stage in writers:
            if stage != self.flow.name:
                self.flow.after[stage] = None

    def folder_read(self, folder: str) -> None:
        """`pd.read_csv(f"data/{name}.csv")`: a file in `folder` that only the run names. A
        folder earlier stages write into orders this stage after them; a folder of inputs is
        the stage's DVC dependency, so a changed input re-runs it (no single file could be).
        One that a stage writes into later stays no dependency (see drop_written_folders)."""
        before = len(self.flow.after)
        self.listing(f"{folder}/**")
        if len(self.flow.after) == before:
            self.flow.data_deps[folder] = None
            self.folder_deps.setdefault(folder, {})[self.flow.name] = None

    def read_anywhere(self, cell: int, line: int) -> None:
        """`pd.read_csv(name)` with a name only the run knows: the file may be any an earlier
        stage wrote, so the stage runs after each stage so far that writes files; no file can
        be its DVC dependency, which the warning says."""
        writers = {stage for stage, _ in self.file_writer.values()}
        writers.update(self.maybe_writer.values())
        writers.update(self.touchers.values())
        for stages in self.folder_writers.values():
            writers.update(stages)
        for stage in sorted(writers - {self.flow.name}):
            self.flow.after[stage] = None
        self.diagnostics.append(Diagnostic(
            "file-path-unknown", Severity.WARNING,
            "this reads a file at a path nb2pipe cannot work out before the run: the stage "
            "runs after every earlier stage that writes files, but DVC does not know the file, "
            "so a change to it does not re-run the stage. Use a literal path, a parameter, or a "
            "name bound to a string", cell, line))

    def drop_written_folders(self) -> None:
        """A folder dependency that holds a file some stage writes (a later stage, or the reader
        itself) would put that output inside a dependency for DVC: the order the notebook
        gives is kept without it."""
        written = [*self.file_writer, *self.maybe_writer, *self.folder_writers]
        for folder, readers in self.folder_deps.items():
            if any(not w or w == folder or w.startswith(folder + "/") for w in written):
                for stage in readers:
                    self.flows[stage].data_deps.pop(folder, None)

    def through_parameters(self, site: CallSite) -> list[CallSite]:
        """A call of a notebook function that reads or writes a file at a path built from its
        parameters (`save_fig("x")`): those calls, with the arguments in the path."""
        binding = self.env.get(site.func) if "." not in site.func else None
        d = binding.definition if binding is not None and binding.kind == "definition" else None
        if d is None or not d.param_calls:
            return []
        given: dict[str, PathExpr | None] = {p: a for p, a in zip(d.params, site.args)}
        given.update(dict(site.kwargs))

        def fill(expr: PathExpr | None) -> PathExpr | None:
            if expr is None:
                return None
            parts: list[tuple[str, str]] = []
            for kind, value in expr.parts:
                if kind == "n" and value in d.local_names:
                    passed = given.get(value)
                    # a parameter not given as a path: no name can resolve it
                    parts.extend(passed.parts if passed is not None else [("n", "\0")])
                else:
                    parts.append((kind, value))
            return PathExpr(tuple(parts))

        return [replace(inner, args=tuple(fill(a) for a in inner.args),
                        kwargs=tuple((k, fill(v)) for k, v in inner.kwargs),
                        receiver_path=fill(inner.receiver_path), line=site.line,
                        conditional=site.conditional or inner.conditional)
                for inner in d.param_calls]

    def files(self, facts: CellFacts, cell: int) -> None:
        self.live_loggers(facts, cell)
        calls = list(facts.calls)
        for site in facts.calls:
            calls += self.through_parameters(site)
        effects = file_effects(calls, self.literal)
        effects += [("write", p.parts[0][1], line) for p, line in facts.writes_files]
        if self.cwd_changes:  # after os.chdir: relative to the folder it moved to
            effects = [(k, posixpath.normpath(posixpath.join(self.cwd_at(cell, n), p)), n)
                       for k, p, n in effects]
        # A file written above the notebook's folder (`../results.csv`) may lie outside the
        # repository, where DVC keeps no outputs: it is no out, but a stage reading it still
        # runs after the writer (as for a file written only on some paths). Read, it is a dep.
        effects = [("maybe-write" if k == "write" and _goes_up(p) else k, p, n)
                   for k, p, n in effects]
        for kind, path, line in effects:
            self.after_folder_made(path)
            if kind == "mkdir":
                self.folder_makers[path] = self.flow.name
                continue
            if kind == "touch":
                self.touched(path)
                continue
            if kind != "list":
                self.after_toucher(path)
            if kind == "write-into":  # a path not known in full: order for folder listings
                self.folder_writers.setdefault("" if path == "." else path, {})[
                    self.flow.name] = None
                continue
            if kind == "list":
                self.listing(path)
                continue
            if kind == "read-into":
                self.folder_read(path)
                continue
            if kind == "read-anywhere":
                self.read_anywhere(cell, line)
                continue
            if kind == "list-hidden":
                self.listing_sees_pipeline_files(path, cell, line)
                continue
            if kind == "probe":
                self.probe(path)
                continue
            if kind in ("delete", "maybe-delete"):
                self.deleted(path, cell, line)
                continue
            if kind == "maybe-write":  # under an if / try: no out DVC would demand
                if path not in self.file_writer:
                    self.maybe_writer[path] = self.flow.name
                continue
            if kind == "write":
                writer = self.file_writer.get(path)
                if writer is not None and writer[0] != self.flow.name:
                    self.diagnostics.append(Diagnostic(
                        "file-written-twice", Severity.ERROR,
                        f"'{path}' is written here and in stage '{writer[0]}' "
                        f"({cell_name(writer[1])}); "
                        "DVC lets one stage own a file: write it in one stage, or use two "
                        "file names", cell, line))
                    continue
                self.file_writer[path] = (self.flow.name, cell)
                self.flow.outs[path] = None
                self.flow.out_cells.setdefault(path, []).append(cell)
                if self.flow.data_deps.pop(path, None) is not None or path in self.flow.outs:
                    # Read, then rewritten by the same stage (a cache): DVC forbids a path
                    # that is both a dep and an out of one stage, so it is an out only.
                    self.file_reads = [r for r in self.file_reads
                                       if not (r[0] == path and r[1] == self.flow.name)]
            else:
                self.file_read(path, cell)

    def deleted(self, path: str, cell: int, line: int) -> None:
        """`os.remove("t.txt")`: a file another stage writes is that stage's output, which
        DVC keeps (and `dvc status` would call changed once it is gone): refused. Deleted by
        the stage that wrote it, it is no output of that stage any more. Anything later that
        asks for the file runs after the deletion."""
        writer = self.file_writer.get(path) or (
            (self.maybe_writer[path], None) if path in self.maybe_writer else None)
        if writer is not None and writer[0] != self.flow.name:
            where = f" ({cell_name(writer[1])})" if writer[1] is not None else ""
            self.diagnostics.append(Diagnostic(
                "file-deleted-by-another-stage", Severity.ERROR,
                f"'{path}' is deleted here, and stage '{writer[0]}'{where} writes it: DVC keeps "
                "each stage's outputs, so the pipeline cannot delete one in a later stage. "
                "Delete it in the stage that writes it, or write it under another name",
                cell, line))
            return
        if writer is not None:  # its own file: written, then deleted, no out at the end
            self.file_writer.pop(path, None)
            self.maybe_writer.pop(path, None)
            self.flow.outs.pop(path, None)
            self.flow.out_cells.pop(path, None)
        # A stage that later asks for it (exists, read) must see the deletion first.
        self.maybe_writer[path] = self.flow.name

    def folder_writer_of(self, path: str) -> str | None:
        """The last stage so far that writes files into a folder holding `path` at names only
        the run knows (`to_csv(f"output/{n}.csv")`), which may have written this very file;
        None if none does. (One writing "anywhere" leaves an input a dependency: file_read
        orders the reader after it and warns.)"""
        found = None
        for folder, stages in self.folder_writers.items():
            if folder and path.startswith(folder + "/"):
                found = next(reversed(stages))
        return found

    def listing_sees_pipeline_files(self, pattern: str, cell: int, line: int) -> None:
        """`os.listdir("figs")` also lists what the pipeline keeps there and the notebook run
        does not make: DVC's .gitignore beside the outputs of a stage (and in the notebook's
        own folder dvc.yaml, dvc.lock, params.yaml, pipelines/). A warning: what it lists
        differs, and nb2pipe cannot hide those files."""
        recursive = pattern.endswith("/**")
        folder = pattern.rsplit("/", 1)[0] if "/" in pattern else ""
        folder = "" if folder == "." else folder
        inside = sorted({stage for path, (stage, _) in self.file_writer.items()
                         if posixpath.dirname(path) == folder or (recursive and (
                             not folder or path.startswith(folder + "/")))})
        if folder and not inside:
            return
        keeps = "dvc.yaml, dvc.lock, params.yaml, the pipelines folder" + (
            " and DVC's .gitignore" if inside else "") if not folder else (
            "DVC's .gitignore beside the outputs of stage " + ", ".join(
                f"'{s}'" for s in inside))
        self.diagnostics.append(Diagnostic(
            "listing-sees-pipeline-files", Severity.WARNING,
            f"this lists the folder '{folder or '.'}', where the pipeline keeps files the "
            f"notebook run does not make ({keeps}), so it lists more than the notebook did. "
            f"Skip names starting with '.' and the pipeline's files, or list with glob "
            f"(which skips hidden files) by a pattern", cell, line))

    def touched(self, path: str) -> None:
        """`zipfile.ZipFile("z.zip", "w")`, `sqlite3.connect("db.sqlite")`: a call that may read
        or write the file. It runs after every earlier stage that wrote or touched it, and
        later stages using the file run after it; it is no out (it may not be written) and no
        dep (it may not exist yet)."""
        writer = self.file_writer.get(path)
        for stage in (writer[0] if writer else None, self.maybe_writer.get(path),
                      self.touchers.get(path)):
            if stage is not None and stage != self.flow.name:
                self.flow.after[stage] = None
        self.touchers[path] = self.flow.name

    def after_toucher(self, path: str) -> None:
        """A file read, written or deleted after a stage touched it runs after that stage."""
        toucher = self.touchers.get(path)
        if toucher is not None and toucher != self.flow.name:
            self.flow.after[toucher] = None

    def after_folder_made(self, path: str) -> None:
        """`os.makedirs("out")` in one stage, `open("out/a.txt", "w")` in a later one: the
        folder must exist first."""
        for folder, maker in self.folder_makers.items():
            if maker != self.flow.name and (path == folder or path.startswith(folder + "/")
                                            or not folder):
                self.flow.after[maker] = None

    def probe(self, path: str) -> None:
        """`os.path.exists("flag.txt")`: the answer depends on whether an earlier stage wrote
        it, so the stage runs after that one; a file no stage writes is no dependency (it may
        not exist, which is the point of asking)."""
        writer = self.file_writer.get(path)
        maybe = self.maybe_writer.get(path)
        if writer is not None and writer[0] != self.flow.name:
            self.flow.file_inputs[path] = writer[0]
        elif writer is None and maybe is not None and maybe != self.flow.name:
            self.flow.after[maybe] = None

    def file_read(self, path: str, cell: int) -> None:
        for appender in self.appenders.get(path, {}):  # a log earlier stages appended to
            if appender != self.flow.name:
                self.flow.after[appender] = None
        writer = self.file_writer.get(path)
        maybe = self.maybe_writer.get(path)
        if writer is None and maybe is None:
            maybe = self.folder_writer_of(path)
        raw = any(read[0] == path for read in self.file_reads)  # data read before it was touched
        if writer is None and maybe is not None:
            # It may not exist, so it is no dep; the reader still runs after the writer.
            if maybe != self.flow.name:
                self.flow.after[maybe] = None
        elif writer is None and self.touchers.get(path, self.flow.name) != self.flow.name \
                and not raw:
            pass  # touched by an earlier stage (after_toucher): it may have made it
        elif writer is None:
            self.file_reads.append((path, self.flow.name, cell))
            self.flow.data_deps[path] = None
            anywhere = [s for s in self.folder_writers.get("", {}) if s != self.flow.name]
            for stage in anywhere:  # it may be the one that makes it: run after it
                self.flow.after[stage] = None
            if anywhere and path not in self.doubted_inputs:
                self.doubted_inputs.add(path)
                self.diagnostics.append(Diagnostic(
                    "file-path-unknown", Severity.WARNING,
                    f"'{path}' is read here as an input no stage writes, but stage "
                    f"'{anywhere[-1]}' writes files at names nb2pipe cannot work out before the "
                    f"run; this stage runs after it, but if one of them is '{path}', DVC "
                    f"cannot tell: write it by its name (a literal, a parameter or a name "
                    f"bound to a string)", cell))
        elif writer[0] != self.flow.name:
            self.flow.file_inputs[path] = writer[0]

    def change_directory(self, source: str, line: int) -> None:
        """Relative paths after `os.chdir("sub")` are inside sub: files count there."""
        call = ast.parse(source).body[0]
        arg = call.value.args[0] if isinstance(call, ast.Expr) and isinstance(
            call.value, ast.Call) and call.value.args else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            moved = posixpath.normpath(posixpath.join(self.cwd_at(self.cell, line) or ".",
                                                      arg.value))
            if not moved.startswith("..") and not posixpath.isabs(moved):
                self.cwd_changes.append((self.cell, line, "" if moved == "." else moved))
                self.cwd_stages[self.flow.name] = None
                return
        self.diagnostics.append(Diagnostic(
            "setting-not-made-again", Severity.WARNING,
            f"'{source}' moves the working directory where nb2pipe cannot follow it (outside "
            f"the notebook's folder, or not a literal path): the files read and written after "
            f"it are not tracked by DVC", self.cell, line))

    def cwd_at(self, cell: int, line: int) -> str:
        """The working directory (relative to the notebook's folder) at this cell and line."""
        now = ""
        for at_cell, at_line, to in self.cwd_changes:
            if (at_cell, at_line) < (cell, line):
                now = to
        return now

    def live_loggers(self, facts: CellFacts, cell: int) -> None:
        """dvclive's `Live(...)` calls and `log_metric` calls of this cell."""
        def is_dvclive(func: str) -> bool:
            binding = self.env.get(func.split(".")[0])
            return binding is not None and binding.kind == "import" \
                and "dvclive" in (binding.statement or "")

        for logger in dvclive.loggers(facts.calls, cell, is_dvclive, self.literal):
            if logger.dir is not None and self.cwd_changes:
                logger = replace(logger, dir=posixpath.normpath(
                    posixpath.join(self.cwd_at(cell, logger.line), logger.dir)))
            self.flow.live.append(logger)
        logs = dvclive.logging(facts.calls)
        if logs.metrics:
            was = self.flow.live_logging
            self.flow.live_logging = dvclive.LiveLogging(True, was.plots or logs.plots)


def _goes_up(path: str) -> bool:
    return path == ".." or path.startswith("../")
