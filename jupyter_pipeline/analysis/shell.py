"""Files a shell command writes (`!cmd`, `x = !cmd`, `%%bash`): redirections and the commands
data-science notebooks use to fetch and unpack data. Pure: the command is only parsed.

Only literal paths count (no `$var`, `{var}`, globs): a path the analysis cannot know is no
edge it can add, and an out DVC demands must be exact.
"""

from __future__ import annotations

import shlex

# command -> the options whose argument is a file it writes
_OUTPUT_OPTIONS = {"wget": ("-O", "--output-document"), "curl": ("-o", "--output"),
                   "sort": ("-o", "--output")}
# commands whose last argument is what they write
_LAST_IS_TARGET = frozenset({"cp", "mv", "ln", "rsync"})
_TOUCHING = frozenset({"touch"})
_TEE = frozenset({"tee"})
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_UNKNOWABLE = ("$", "{", "}", "*", "?", "[", "`", "~")


def shell_writes(command: str) -> tuple[str, ...]:
    """The literal paths `command` writes, in order."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|<>")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: IPython would pass it on as it is
        return ()
    found: list[str] = []
    for words in _commands(tokens):
        found += _redirections(words)
        words = [w for w in _without_redirections(words)]
        if not words:
            continue
        name, args = words[0].rsplit("/", 1)[-1], words[1:]
        plain = [a for a in args if not a.startswith("-")]
        if name in _OUTPUT_OPTIONS:
            options = _OUTPUT_OPTIONS[name]
            for i, a in enumerate(args):
                if a in options and i + 1 < len(args):
                    found.append(args[i + 1])
                elif any(a.startswith(o + "=") for o in options if o.startswith("--")):
                    found.append(a.split("=", 1)[1])
        elif name in _LAST_IS_TARGET and len(plain) >= 2:
            found.append(plain[-1])
        elif name in _TOUCHING or name in _TEE:
            found += plain
    return tuple(p for p in found if p and not any(c in p for c in _UNKNOWABLE))


def _commands(tokens: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for t in tokens:
        if t in _SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(t)
    return [c for c in commands if c]


def _redirections(words: list[str]) -> list[str]:
    out = []
    for i, w in enumerate(words):
        if w in (">", ">>") and i + 1 < len(words):
            out.append(words[i + 1])
    return out


def _without_redirections(words: list[str]) -> list[str]:
    kept, skip = [], False
    for w in words:
        if skip:
            skip = False
            continue
        if w in (">", ">>", "<"):
            skip = True
            continue
        kept.append(w)
    return kept
