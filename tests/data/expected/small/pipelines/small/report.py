# nb2pipe: generated from 'small.ipynb', stage 'report'.
# Edit the notebook, not this file. Run it from the notebook's folder:
#     python <this file>

from jupyter_pipeline.runtime.script import get_ipython  # runs magics and !shell

# %% parameters (params.yaml overrides these values)
alpha = 0.001
from jupyter_pipeline.runtime.handoff import read_params as _read_params
_params = _read_params("params.yaml", {'alpha': alpha})
alpha = _params['alpha']

# %% values from earlier stages
from jupyter_pipeline.runtime import handoff as _nb2pipe
_nb2pipe.start_here()  # handoff paths are relative to this folder

get_ipython().run_line_magic('matplotlib', 'inline')

scaled = _nb2pipe.load("pipelines/small/data/train", "scaled")
total = _nb2pipe.load("pipelines/small/data/train", "total")

# %% cell 6
score = total / alpha
summary = {'score': score}
scaled.to_frame().to_csv('out/scaled.csv')

# %% hand on to later stages
_nb2pipe.save_metrics("pipelines/small/metrics/report.json", {"score": score, "summary": summary})
