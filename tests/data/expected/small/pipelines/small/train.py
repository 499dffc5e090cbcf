# nb2pipe: generated from 'small.ipynb', stage 'train'.
# Edit the notebook, not this file. Run it from the notebook's folder:
#     python <this file>

from jupyter_pipeline.runtime.script import get_ipython  # runs magics and !shell

# %% parameters (params.yaml overrides these values)
cols = ['a', 'b']
flag = False
name = 'random forest'
from jupyter_pipeline.runtime.handoff import read_params as _read_params
_params = _read_params("params.yaml", {'cols': cols, 'flag': flag, 'name': name})
cols = _params['cols']
flag = _params['flag']
name = _params['name']

# %% values from earlier stages
from jupyter_pipeline.runtime import handoff as _nb2pipe
_nb2pipe.start_here()  # handoff paths are relative to this folder

def scale(col):
    return col * factor

factor = _nb2pipe.load("pipelines/small/data/load", "factor")
raw = _nb2pipe.load("pipelines/small/data/load", "raw")

# %% cell 5
get_ipython().run_line_magic('matplotlib', 'inline')
scaled = raw['a'].apply(scale)
total = 0
for v in scaled:
    total += v
print(name, flag, cols)

# %% hand on to later stages
_nb2pipe.save(
    "pipelines/small/data/train",
    {"scaled": scaled, "total": total},
    stage="train",
    needed_by={"scaled": ["report"], "total": ["report"]},
)
