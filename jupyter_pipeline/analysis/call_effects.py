"""The fold's judgement of calls it cannot look inside: whether a call may change an argument
passed to it, from what the callee is where it is called (a notebook function and the parameters
it changes, a library function, a method of a value)."""

from __future__ import annotations

from .facts import CallArgument, Drawing, MethodArgument, Via
from .fold_state import FoldState
from .knowledge import (ARGUMENT_SAFE_METHODS, KNOWN_LIBRARIES, LIBRARY_MUTATES_ARGUMENTS,
                        PURE_CALLS)


class CallEffects(FoldState):
    """Part of flows._Fold: what calls do to their arguments."""

    def argument_may_change(self, via: Via, argument: str) -> bool:
        """Whether a call may change the argument passed to it, from what the callee is."""
        match via:
            case CallArgument(callee, position, keyword):
                binding = self.env.get(callee)
                if binding is None:
                    return callee not in PURE_CALLS
                if binding.kind == "definition" and binding.definition is not None:
                    d = binding.definition
                    if d.kind == "class":
                        return True
                    param = keyword if keyword else (
                        d.params[position] if 0 <= position < len(d.params) else None)
                    if param is not None and param in d.drawn_params:
                        passed = self.env.get(argument)  # `def draw(ax): ax.hist(v)`
                        if passed is not None and passed.figure:
                            return True
                    return param is None or param in d.mutated_params or any(
                        name == param and self.library_may_change(call)
                        for call, name in d.module_calls)
                if binding.kind == "import":
                    return self.library_may_change(callee)
                return True
            case Drawing():
                return True
            case _:
                receiver_binding = self.env.get(via.receiver) if via.receiver else None
                if receiver_binding is not None and receiver_binding.no_copy:
                    return True  # `scaler = StandardScaler(copy=False)`: its transforms
                if receiver_binding is not None and receiver_binding.kind == "import":
                    return self.library_may_change(via.callee or f"{via.receiver}.{via.method}")
                return via.method not in ARGUMENT_SAFE_METHODS

    def by_library(self, via: Via) -> bool:
        """Whether the call an argument is passed to is reached through an import."""
        match via:
            case CallArgument(callee=callee):
                binding = self.env.get(callee)
            case MethodArgument(receiver=receiver):
                binding = self.env.get(receiver) if receiver else None
            case _:
                return False
        return binding is not None and binding.kind == "import"

    def library_may_change(self, callee: str) -> bool:
        """A function reached through an import (`np.copyto`, `helpers.clean`): one of a known
        library reads its arguments unless it is known to change them; one of any other
        module (the notebook's own, whose body nb2pipe cannot see) may change every one."""
        full = self.resolve(callee) or callee
        module = full.split(".", 1)[0]
        if module not in KNOWN_LIBRARIES:
            return True
        last = full.rsplit(".", 1)[-1]
        # torch and others name in-place functions with a trailing underscore (`normal_`)
        return last in LIBRARY_MUTATES_ARGUMENTS or (last.endswith("_")
                                                     and not last.startswith("_"))
