"""Pure: the grid of a sweep, from `-S name=v1,v2` options as `dvc exp run -S` reads them.

Values are YAML scalars (YAML 1.2, as DVC reads params.yaml: `1e-3` is a float, `true` a bool),
separated by commas outside brackets and quotes, so `-S 'layers=[1,2],[3]'` is two lists."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ruamel.yaml import YAML

from ..errors import Nb2PipeError


class GridError(Nb2PipeError):
    """A `-S` option that cannot be swept; the message says which and what exists."""


@dataclass(frozen=True)
class Axis:
    """One swept parameter: its (dotted) name in params.yaml and the values to try."""

    name: str
    values: tuple[Any, ...]
    text: str  # the option as given, for messages


@dataclass(frozen=True)
class Combination:
    """One point of the grid: (name, value) pairs in the order the options were given."""

    values: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)

    def label(self) -> str:
        return " ".join(f"{name}={format_value(value)}" for name, value in self.values)


def format_value(value: Any) -> str:
    """A value as the user would type it back into `-S` (YAML flow style)."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return value if _parse_scalar(value) == value and "," not in value else repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _parse_scalar(text: str) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(text)
    except Exception:  # noqa: BLE001 - not YAML: the text itself, as DVC keeps it
        return text


def _split_values(text: str) -> list[str]:
    """Split at commas that are not inside [], {} or quotes."""
    parts, depth, quote, current = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def parse_axis(text: str) -> Axis:
    """`name=v1,v2,...` -> Axis. GridError for a missing `=`, name or value."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if name.startswith("params.yaml:"):
        name = name[len("params.yaml:"):]
    if not sep or not name:
        raise GridError(f"-S '{text}': expected NAME=VALUE[,VALUE...], for example "
                        "-S 'n_estimators=50,100'")
    if ":" in name:
        raise GridError(f"-S '{text}': only parameters of params.yaml can be swept (give the "
                        "name without a file)")
    raw = _split_values(values)
    if any(not v for v in raw):
        raise GridError(f"-S '{text}': an empty value; separate values with single commas "
                        "(quote an empty string: '')")
    parsed = tuple(_parse_scalar(v) for v in raw)
    unique = tuple(dict.fromkeys(_hashable(v) for v in parsed))
    if len(unique) != len(parsed):
        raise GridError(f"-S '{text}': a value is given twice")
    return Axis(name, parsed, text)


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_hashable(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _hashable(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def parse_grid(options: Sequence[str]) -> tuple[Axis, ...]:
    axes = tuple(parse_axis(o) for o in options)
    if not axes:
        raise GridError("nothing to sweep: give at least one -S NAME=VALUE[,VALUE...]")
    seen: dict[str, str] = {}
    for axis in axes:
        if axis.name in seen:
            raise GridError(f"-S '{axis.text}': '{axis.name}' is already swept by "
                            f"-S '{seen[axis.name]}'; give all its values in one option")
        seen[axis.name] = axis.text
    return axes


def combinations(axes: Sequence[Axis]) -> tuple[Combination, ...]:
    """Every combination, the last option varying fastest (as `dvc exp run --queue` queues)."""
    names = [a.name for a in axes]
    return tuple(Combination(tuple(zip(names, values)))
                 for values in itertools.product(*(a.values for a in axes)))


def parameter_names(params: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every dotted name in params.yaml, leaves and the mappings above them."""
    names = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        names.append(name)
        if isinstance(value, Mapping):
            names.extend(parameter_names(value, f"{name}."))
    return names


def check_names(axes: Sequence[Axis], params: Mapping[str, Any],
                read_by_stages: set[str] | None) -> None:
    """Each swept name exists in params.yaml, and some stage reads it (a parameter no stage
    lists would give experiments that all compute the same). `read_by_stages`: the dotted names
    the stages list (None: some stage reads the whole file)."""
    known = parameter_names(params)
    for axis in axes:
        if axis.name not in known:
            close = difflib.get_close_matches(axis.name, known, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            listing = ", ".join(known) if known else "(params.yaml is empty)"
            raise GridError(f"-S '{axis.text}': params.yaml has no parameter "
                            f"'{axis.name}'.{hint} Its parameters: {listing}")
        if read_by_stages is not None and not any(
                axis.name == r or axis.name.startswith(r + ".") or r.startswith(axis.name + ".")
                for r in read_by_stages):
            raise GridError(f"-S '{axis.text}': no stage of dvc.yaml reads '{axis.name}', so "
                            "every experiment would compute the same. Stages read: "
                            f"{', '.join(sorted(read_by_stages)) or 'no parameter'}")
