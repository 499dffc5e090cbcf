"""Values that cannot be saved for a later stage (generators, open files, closures, a
defaultdict with a lambda default) are refused at convert, naming both cells, instead of failing
in the save cell when the pipeline runs (issue 10 item 9). One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import run, stages

MADE = {
    "generator": ("squares = (i * i for i in range(5))\nfirst = next(squares)",
                  "print(next(squares))", "a generator"),
    "open-file": ("fh = open('h.txt', 'w')", "fh.write('x')", "an open file"),
    "lambda-defaultdict": ("from collections import defaultdict\ndd = defaultdict(lambda: 0)",
                           "dd['a'] += 1", "a defaultdict whose default is a lambda"),
    "closure": ("def make(k):\n    return lambda x: x * k\nf3 = make(3)", "print(f3(2))",
                "a function made inside 'make'"),
    "inner-function": ("def outer():\n    def inner():\n        return 7\n    return inner\n"
                       "g = outer()", "print(g())", "a function made inside 'outer'"),
    "weak-dictionary": ("import weakref\nwd = weakref.WeakValueDictionary()", "print(len(wd))",
                        "a weak reference"),
    "lock": ("import threading\nlock = threading.Lock()", "print(lock.locked())",
             "a lock or a thread"),
    "zip-file": ("import zipfile\nz = zipfile.ZipFile('a.zip', 'w')", "z.close()",
                 "an open file"),
    "csv-writer": ("import csv\nw = csv.writer(open('a.csv', 'w'))", "w.writerow([1])",
                   "a writer of an open file"),
    "memoryview": ("mv = memoryview(bytearray(b'ab'))", "print(bytes(mv))", "a memoryview"),
    "exit-stack": ("import contextlib\nstack = contextlib.ExitStack()", "stack.close()",
                   "an exit stack"),
    "iter-over-a-file": ("it = iter(open('x.txt'))", "print(next(it))", "an open file"),
}


@pytest.mark.parametrize("made,used,why", MADE.values(), ids=MADE.keys())
def test_a_value_that_cannot_be_saved_is_refused_where_a_later_stage_uses_it(made, used, why):
    a = run([("stage:a", made), ("stage:b", used)])
    found = [d for d in a.errors if d.code == "cannot-cross"]
    assert found and found[0].cell == 1 and why in found[0].message, a.diagnostics
    assert "stage 'a'" in found[0].message and "in one stage" in found[0].message


@pytest.mark.parametrize("made,used,why", MADE.values(), ids=MADE.keys())
def test_the_same_value_used_in_its_own_stage_is_fine(made, used, why):
    stages([("stage:a", f"{made}\n{used}"), ("stage:b", "x = 1")])


def test_a_frames_keys_and_a_loop_over_items_cross():
    stages([("stage:a", "import pandas as pd\ndf = pd.DataFrame({'a': [1]})\ncols = df.keys()\n"
                        "for k, v in {1: 2}.items():\n    pass"), ("stage:b", "print(cols, k, v)")])


def test_a_class_of_the_notebook_named_like_a_lock_crosses():
    stages([("stage:a", "class Lock:\n    pass\nlock = Lock()"), ("stage:b", "print(lock)")])


def test_a_with_block_file_and_a_rebound_name_are_fine():
    stages([("stage:a", "with open('x.txt', 'w') as f:\n    f.write('a')\n"
                        "gen = (i for i in range(3))\ngen = list(gen)"),
            ("stage:b", "print(gen)")])
