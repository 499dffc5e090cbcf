"""Files a cell reads or writes by a literal path: the edges between stages that carry no variable.

A path counts as literal when it is a string constant, or is built (`+`, `/`, `os.path.join`,
f-strings) from constants and names the notebook bound to string constants earlier, such as
`path = "data/"` then `pd.read_csv(path + "train.csv")`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable, Iterable, Mapping

from .facts import CallSite, PathExpr
from .knowledge import PURE_CALLS

# function or method name -> (positional index of the path, keyword names of the path)
_WRITERS: Mapping[str, tuple[int, tuple[str, ...]]] = {
    **{m: (0, ("path_or_buf", "path", "excel_writer", "fname")) for m in (
        "to_csv", "to_parquet", "to_json", "to_excel", "to_pickle", "to_feather", "to_hdf",
        "to_stata", "to_html", "to_latex", "to_markdown", "to_xml", "to_orc")},
    "savefig": (0, ("fname",)),
    "save": (0, ("file", "filepath", "fname", "path")),
    "savez": (0, ("file",)),
    "savez_compressed": (0, ("file",)),
    "savetxt": (0, ("fname",)),
    "dump": (1, ("filename", "file")),  # joblib.dump(value, filename)
    "write_text": (-1, ()),
    "write_bytes": (-1, ()),
    "touch": (-1, ()),  # Path("done.flag").touch()
    "imwrite": (0, ("filename", "uri")),
    "imsave": (0, ("fname",)),
    "FileHandler": (0, ("filename",)),  # logging
    "basicConfig": (99, ("filename",)),  # logging.basicConfig(filename=...)
}
_READERS: Mapping[str, tuple[int, tuple[str, ...]]] = {
    **{m: (0, ("filepath_or_buffer", "path", "path_or_buf", "io", "filepath")) for m in (
        "read_csv", "read_table", "read_parquet", "read_json", "read_excel", "read_pickle",
        "read_feather", "read_hdf", "read_stata", "read_fwf", "read_orc", "read_xml",
        "read_sas", "read_spss")},
    "load": (0, ("file", "filename", "f", "fname")),  # np.load, joblib.load, torch.load
    "loadtxt": (0, ("fname",)),
    "genfromtxt": (0, ("fname",)),
    "imread": (0, ("fname", "filename", "uri")),
    "read_text": (-1, ()),
    "read_bytes": (-1, ()),
}
# Calls that delete a file or folder: (the last two dotted components of the function, the
# positional index of the path; -1: the Path it is called on). `cols.remove(x)` is no file.
_DELETERS: Mapping[str, int] = {
    "os.remove": 0, "os.unlink": 0, "os.rmdir": 0, "shutil.rmtree": 0,
    "unlink": -1, "rmdir": -1,
}
# Calls that copy or move a file or folder: (the last two dotted components of the function,
# or a pathlib method on the path it is called on) -> whether the source goes away.
_COPIES: Mapping[str, bool] = {
    "shutil.copy": False, "shutil.copy2": False, "shutil.copyfile": False,
    "shutil.copytree": False, "shutil.move": True, "os.rename": True, "os.replace": True,
    "os.renames": True,
}
_PATH_MOVES = frozenset({"rename", "replace"})  # Path("a").rename("b")
# Calls that make a folder (`os.makedirs("out", exist_ok=True)`, `Path("out").mkdir()`).
_FOLDER_MAKERS = frozenset({"os.makedirs", "os.mkdir", "mkdir"})
_WRITE_MODES = set("wax+")
_MODE = re.compile(r"[rwxabt+]{1,3}")  # the mode `p.open("w")` is given, not a path
# Calls given a file's path without nb2pipe knowing what they do with it (`zipfile.ZipFile(p,
# "w")`, `sqlite3.connect(p)`, `shutil.unpack_archive(p)`, a notebook's own helper): they may
# read it or write it. Builtins and string methods only look at the text.
_TEXT_CALLS = frozenset(
    """print format join replace split rsplit startswith endswith strip lstrip rstrip lower upper
    title encode decode find rfind index count partition rpartition removeprefix removesuffix
    debug info warning warn error exception critical log write writelines append add
    set_title set_xlabel set_ylabel suptitle text annotate markdown Markdown HTML display
    """.split())
_FILE_NAME = re.compile(r"[\w.\- /]*?(/[\w.\- ]*|\w\.[A-Za-z][A-Za-z0-9]{0,7})")
# Calls that list a folder: the glob pattern, or the folder whose files they list (recursively:
# walk, rglob); as a pattern of the paths they see.
_PATTERNS = frozenset({"glob", "iglob"})
_FOLDERS = {"listdir": "/*", "scandir": "/*", "iterdir": "/*", "walk": "/**"}
# Calls that ask whether a file exists or how it is (`os.path.exists(p)`, `Path(p).is_file()`).
_PROBES = frozenset({"exists", "lexists", "isfile", "isdir", "getsize", "getmtime", "is_file",
                     "is_dir", "stat"})


def resolve_path(expr: PathExpr | None, literal: Callable[[str], str | None]) -> str | None:
    """The path as text, when its names are bound to known strings; else None."""
    return _resolve(expr, literal)


def _resolve(expr: PathExpr | None, literal: Callable[[str], str | None]) -> str | None:
    if expr is None:
        return None
    text = []
    for kind, value in expr.parts:
        if kind == "s":
            text.append(value)
        else:
            known = literal(value)
            if known is None:
                return None
            text.append(known)
    return "".join(text)


def normalise(path: str) -> str | None:
    """A path relative to the notebook's folder, or None for URLs and absolute paths. A path
    that goes up (`../data/x.csv`) stays: the notebook's folder is often a subfolder of the
    project (notebooks/ beside data/), and DVC tracks such a dependency like any other (also
    one outside the repository), so a changed input re-runs the stage that reads it."""
    if not path or "://" in path or path.startswith(("/", "~")) or "\n" in path:
        return None
    norm = posixpath.normpath(path.replace("\\", "/").replace("//", "/"))
    if norm == ".":
        return None
    return norm


def _argument(call: CallSite, position: int, keywords: tuple[str, ...]) -> PathExpr | None:
    if position == -1:
        return call.receiver_path
    for name, value in call.kwargs:
        if name in keywords:
            return value
    return call.args[position] if position < len(call.args) else None


def _listed(call: CallSite, method: str, literal: Callable[[str], str | None]) -> str | None:
    """The pattern of the paths a folder listing sees (`glob.glob("parts/*.txt")`,
    `os.listdir("res")`, `Path("out").glob("*.csv")`), relative to the notebook; None when the
    folder is not known."""
    owner = call.func.rsplit(".", 1)[0] if "." in call.func else ""
    arg = _resolve(call.args[0], literal) if call.args else None
    base = _resolve(call.receiver_path, literal) if call.receiver_path is not None else (
        literal(owner) if owner.isidentifier() and owner not in ("glob", "os") else None)
    if owner in ("cwd()", "Path.cwd()"):  # Path.cwd().glob(...): the notebook's folder
        base = "."
    if method in ("glob", "rglob") and base is not None:  # a pathlib path's own glob
        if arg is None:
            return None
        pattern = f"{base}/{'**/' if method == 'rglob' else ''}{arg}"
    elif method in _PATTERNS and owner in ("", "glob"):
        pattern = arg if arg is not None else None
    elif method in _FOLDERS and (owner in ("", "os") or base is not None):
        folder = base if base is not None else (arg if call.args else ".")
        pattern = None if folder is None else folder + _FOLDERS[method]
    else:
        return None
    if pattern is None or "://" in pattern or pattern.startswith(("/", "~")):
        return None
    return posixpath.normpath(pattern)


def _probed(call: CallSite, literal: Callable[[str], str | None]) -> str | None:
    """The path `os.path.exists(p)` / `Path(p).exists()` / `p.exists()` asks about, or None."""
    owner = call.func.rsplit(".", 1)[0] if "." in call.func else ""
    if call.receiver_path is not None:
        path = _resolve(call.receiver_path, literal)
    elif owner in ("", "os", "path", "os.path") and call.args:
        path = _resolve(call.args[0], literal)
    elif owner.isidentifier():
        path = literal(owner)
    else:
        path = None
    return normalise(path) if path else None


def _folder_of_unknown(expr: PathExpr | None) -> str | None:
    """A path not known in full, as far as its folder is literal (`f"parts/p{i}.txt"`:
    "parts"; `f"{name}.txt"`: "", anywhere; `f"../out/{n}.csv"`: "../out"); None for an
    absolute path or a URL."""
    if expr is None:
        return None
    prefix = ""
    for kind, value in expr.parts:
        if kind != "s":
            break
        prefix += value
    if prefix.startswith(("/", "~")) or "://" in prefix:
        return None
    folder = posixpath.normpath(prefix.rsplit("/", 1)[0]) if "/" in prefix else ""
    return "" if folder == "." else folder


def file_effects(
    calls: Iterable[CallSite], literal: Callable[[str], str | None]
) -> list[tuple[str, str, int]]:
    """[(kind, path, line)] in the order the calls appear. Kinds: "read", "write",
    "maybe-write" (under an if / try), "list" (the path is a pattern of the files a folder
    listing sees), "probe" (asked whether it exists), "write-into" (a file written at a
    path not known in full: the path is its folder, "" for anywhere), "read-into" (a file read
    at a path not known in full, in a folder that is: the path is the folder), "read-anywhere"
    (a file read at a path with no literal folder either), "delete" / "maybe-delete"
    (`os.remove(p)`, `Path(p).unlink()`, `shutil.rmtree(p)`), "mkdir" (a folder made), "touch"
    (a file's path given to a call that may read or write it) and "list-hidden" (a "list" that
    also sees names starting with a dot)."""
    found: list[tuple[str, str, int]] = []
    for call in calls:
        method = call.func.rsplit(".", 1)[-1]
        if call.func in _FOLDER_MAKERS or (method == "mkdir" and call.receiver_path):
            expr = _argument(call, 0, ("name", "path")) if call.func.startswith("os.") else (
                call.receiver_path)
            made = _resolve(expr, literal)
            norm = normalise(made) if made else None
            if norm:
                found.append(("mkdir", norm, call.line))
            continue
        if call.func in _COPIES or (method in _PATH_MOVES and call.receiver_path):
            moved = _COPIES.get(call.func, True)
            source = call.receiver_path if call.func not in _COPIES else _argument(
                call, 0, ("src",))
            target = _argument(call, 0 if call.func not in _COPIES else 1, ("dst", "target"))
            if moved:
                path = _resolve(source, literal)
                norm = normalise(path) if path else None
                if norm:
                    found.append(("maybe-delete" if call.conditional else "delete", norm,
                                  call.line))
            else:
                _add(found, "read", _resolve(source, literal), call.line, source)
            _add(found, _maybe("write", call), _resolve(target, literal), call.line, target)
            continue
        if method in _PROBES:
            probed = _probed(call, literal)
            if probed is not None:
                found.append(("probe", probed, call.line))
            continue
        if method in _PATTERNS or method in _FOLDERS or method == "rglob":
            pattern = _listed(call, method, literal)
            if pattern is not None:
                found.append(("list", pattern, call.line))
                if method in _FOLDERS:  # os.listdir sees dotfiles (DVC's .gitignore), glob not
                    found.append(("list-hidden", pattern, call.line))
            continue
        deleter = _DELETERS.get(call.func, _DELETERS.get(method) if method in ("unlink",
                                                                         "rmdir") else None)
        if deleter is not None:
            expr = _argument(call, deleter, ("path",))
            path = _resolve(expr, literal)
            norm = normalise(path) if path else None
            if norm:
                found.append(("maybe-delete" if call.conditional else "delete", norm, call.line))
            continue
        if method == "open" and call.receiver_path is not None:  # Path("x").open("w")
            path = _resolve(call.receiver_path, literal)
            mode_expr = call.args[0] if call.args else dict(call.kwargs).get("mode")
            mode = _resolve(mode_expr, literal) if mode_expr is not None else "r"
            if path is not None or (mode is not None and _MODE.fullmatch(mode)):
                kind = "write" if mode is not None and _WRITE_MODES & set(mode) else "read"
                _add(found, _maybe(kind, call), path, call.line, call.receiver_path)
                continue
        if method == "open" and call.args:
            path = _resolve(call.args[0], literal)
            mode_expr = call.args[1] if len(call.args) > 1 else dict(call.kwargs).get("mode")
            mode = _resolve(mode_expr, literal) if mode_expr is not None else "r"
            kind = "write" if mode is not None and _WRITE_MODES & set(mode) else "read"
            _add(found, _maybe(kind, call), path, call.line, call.args[0])
            continue
        for kind, table in (("write", _WRITERS), ("read", _READERS)):
            if method in table:
                position, keywords = table[method]
                expr = _argument(call, position, keywords)
                path = _resolve(expr, literal)
                if kind == "write" and path:
                    path = _with_added_suffix(call, method, path, literal)
                _add(found, _maybe(kind, call), path, call.line, expr)
                break
        else:
            found += _touched(call, method, literal)
    return found


def _with_added_suffix(call: CallSite, method: str, path: str,
                       literal: Callable[[str], str | None]) -> str:
    """The file a writer really makes: `np.save("arr")` writes arr.npy, `np.savez("b")`
    b.npz, `plt.savefig("fig")` fig.png (matplotlib adds the default format when the name has
    no extension and no `format=` is given)."""
    if method == "save" and call.func in ("np.save", "numpy.save") and not path.endswith(
            ".npy"):
        return path + ".npy"
    if method in ("savez", "savez_compressed") and not path.endswith(".npz"):
        return path + ".npz"
    if method == "savefig" and not posixpath.splitext(path.rstrip("."))[1] \
            and "format" not in dict(call.kwargs):
        return path.rstrip(".") + ".png"
    return path


def _touched(call: CallSite, method: str, literal: Callable[[str], str | None]
             ) -> list[tuple[str, str, int]]:
    """The file names given to a call nb2pipe knows nothing about (`ZipFile("z.zip", "w")`,
    `sqlite3.connect("db.sqlite")`): it may read them or write them, so the stages using
    one run in the notebook's order. A text counts as a file name when it has a folder or an
    extension (`"out/a"`, `"model.bin"`)."""
    if method in _TEXT_CALLS or ("." not in call.func and method in PURE_CALLS):
        return []
    found = []
    for expr in list(call.args) + [v for _, v in call.kwargs]:
        text = _resolve(expr, literal)
        if text and len(text) < 256 and _FILE_NAME.fullmatch(text):
            norm = normalise(text)
            if norm:
                found.append(("touch", norm, call.line))
    return found


def _add(found: list, kind: str, path: str | None, line: int,
         expr: PathExpr | None = None) -> None:
    norm = normalise(path) if path else None
    if norm:
        found.append((kind, norm, line))
    elif path is None:
        folder = _folder_of_unknown(expr)
        if folder is not None and kind != "read":
            found.append(("write-into", folder, line))
        elif folder:  # `pd.read_csv(f"data/{name}.csv")`: some file in "data"
            found.append(("read-into", folder, line))
        elif folder is not None:  # `pd.read_csv(name)`: some file, anywhere
            found.append(("read-anywhere", "", line))


def _maybe(kind: str, call: CallSite) -> str:
    return "maybe-write" if kind == "write" and call.conditional else kind
