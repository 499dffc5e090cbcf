"""Pure: the grid of a sweep, from `-S name=v1,v2` options as `dvc exp run -S` reads them.

DVC reads `-S` with Hydra's override grammar: values separated by commas outside brackets and
quotes (`-S 'layers=[1,2],[3]'` is two lists), `1e-3` a float, `true` a bool, `null` None,
`'007'` a string, `range(1,4)` and `choice(a,b)` sweeps. The same parser is used here."""

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
    except Exception:  # noqa: BLE001 - not YAML: the text itself
        return text


def _plain(value: Any) -> Any:
    """Hydra's parsed value as plain data (a quoted string is its text)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    text = getattr(value, "text", None)
    return text if isinstance(text, str) and type(value).__name__ == "QuotedString" else value


def _sweep_values(name: str, values: str, text: str) -> tuple[Any, ...]:
    """The values of one `-S`, parsed by Hydra's override grammar: what `dvc exp run -S` uses
    (DVC depends on hydra-core), so `-S` means the same here as there, `range(...)` and
    `choice(...)` included."""
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser
        from hydra.core.override_parser.types import ValueType
    except ImportError:
        raise GridError("nb2pipe sweep needs DVC: pip install 'nb2pipe[dvc]'") from None
    try:
        override = OverridesParser.create().parse_overrides([f"{name}={values}"])[0]
    except Exception as exc:  # noqa: BLE001 - hydra's OverrideParseException and kin
        first = (str(exc).strip().splitlines()[1:2] or [type(exc).__name__])[0]
        first = first.split(" expecting ")[0].strip()  # not the grammar's list of tokens
        raise GridError(f"-S '{text}': cannot read the values ({first}). Separate "
                        "values with commas, as in dvc exp run -S: 'lr=0.001,0.01', "
                        "'n=range(10,50,10)', 'kind=choice(a,b)'") from None
    if override.value_type == ValueType.GLOB_CHOICE_SWEEP:
        raise GridError(f"-S '{text}': glob(...) sweeps are not supported (nor by DVC)")
    found = override.sweep_iterator() if override.is_sweep_override() else [override.value()]
    return tuple(_plain(v) for v in found)


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
    if not values.strip():
        raise GridError(f"-S '{text}': no value; give one or more, separated by commas")
    parsed = _sweep_values(name, values, text)
    if not parsed:
        raise GridError(f"-S '{text}': no value (an empty range?)")
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
