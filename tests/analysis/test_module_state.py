"""A seeded global random generator (`np.random.seed`, `random.seed`) is hidden module state:
every later draw depends on the earlier ones, so each stage after the seeding starts from the
state the previous stage left. One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import needs, stages

SEEDS = {
    "numpy-alias": ("import numpy as np\nnp.random.seed(0)", "@numpy.random"),
    "numpy-plain": ("import numpy\nnumpy.random.seed(0)", "@numpy.random"),
    "numpy-random-module": ("from numpy import random as npr\nnpr.seed(0)", "@numpy.random"),
    "numpy-seed-function": ("from numpy.random import seed\nseed(0)", "@numpy.random"),
    "stdlib": ("import random\nrandom.seed(0)", "@random"),
    "stdlib-setstate": ("import random\nrandom.setstate(random.getstate())", "@random"),
}


@pytest.mark.parametrize("source,state", SEEDS.values(), ids=SEEDS.keys())
def test_a_seeded_generator_is_handed_to_the_next_stage(source, state):
    s = stages([("stage:a", source), ("stage:b", "x = 1")])
    assert needs(s["b"]) == {state: "a"}


def test_each_later_stage_continues_from_the_previous_one():
    s = stages([("stage:a", "import numpy as np\nnp.random.seed(0)"),
                ("stage:b", "x = np.random.rand()"), ("stage:c", "y = 2"),
                ("stage:d", "print(np.random.rand())")])
    assert needs(s["c"]) == {"@numpy.random": "b"}
    assert needs(s["d"]) == {"@numpy.random": "c"}
    assert "@numpy.random" in s["c"].hands_on and s["d"].hands_on == ()


def test_an_unseeded_generator_is_not_handed_over():
    s = stages([("stage:a", "import numpy as np"), ("stage:b", "print(np.random.rand())")])
    assert needs(s["b"]) == {}


def test_a_seed_method_of_another_object_is_no_module_state():
    s = stages([("stage:a", "import numpy as np\nrng = np.random.default_rng(0)\n"
                            "space = object()\nspace.seed = print\nspace.seed(1)"),
                ("stage:b", "print(rng.random())")])
    assert needs(s["b"]) == {"rng": "a"}


def test_a_seed_in_an_unrelated_module_is_no_module_state():
    s = stages([("stage:a", "import torchvision_like as tv\ntv.seed(0)"), ("stage:b", "x = 1")])
    assert needs(s["b"]) == {}


def test_a_function_that_seeds_seeds_where_it_is_called():
    s = stages([("stage:a", "import numpy as np\ndef set_seed(v):\n    np.random.seed(v)"),
                ("stage:b", "set_seed(0)"), ("stage:c", "x = 1")])
    assert "@numpy.random" not in needs(s["b"])
    assert needs(s["c"]) == {"@numpy.random": "b"}
