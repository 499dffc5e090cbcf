# nb2pipe: generated from 'small.ipynb', stage 'load'.
# Edit the notebook, not this file. Run it from the notebook's folder:
#     python <this file>

# %% parameters (params.yaml overrides these values)
alpha = 0.001
from jupyter_pipeline.runtime.handoff import read_params as _read_params
_params = _read_params("params.yaml", {'alpha': alpha})
alpha = _params['alpha']

# %% values from earlier stages
from jupyter_pipeline.runtime import handoff as _nb2pipe
_nb2pipe.start_here()  # handoff paths are relative to this folder

# %% cell 1
# knobs
derived = alpha * 2

# %% cell 2
import pandas as pd
raw = pd.read_csv('data/in.csv')

# %% [markdown]
# ## Clean

# %% cell 4
def scale(col):
    return col * factor

factor = 10
raw.dropna(inplace=True)

# %% hand on to later stages
_nb2pipe.save(
    "pipelines/small/data/load",
    {"factor": factor, "raw": raw},
    stage="load",
    needed_by={"factor": ["train"], "raw": ["train"]},
)
