#!/usr/bin/env bash
# make demo: convert the wine example in a scratch DVC project, run its pipeline, change a
# parameter and run again (only the affected stages re-run), verify it against the notebook, then
# sweep a grid of parameters as DVC experiments.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
demo="$repo/build/demo"
rm -rf "$demo"
mkdir -p "$demo"
cp -r "$repo/example_notebooks/wine/." "$demo/"
cd "$demo"
git init -q
dvc init -q
step() { printf '\n== %s\n' "$*"; }

step "nb2pipe convert wine.ipynb"
nb2pipe convert wine.ipynb

step "nb2pipe dag wine.ipynb"
nb2pipe dag wine.ipynb

step "nb2pipe run (first run: every stage)"
nb2pipe run

step "dvc status (DVC agrees: nothing to do)"
dvc status

step "git commit (the notebook, its pipeline and dvc.lock: the baseline experiments compare with)"
git add -A >/dev/null
git -c user.name=nb2pipe-demo -c user.email=demo@nb2pipe.invalid commit -qm "wine notebook, its pipeline and its first run"
git status --short

step "change a parameter: n_estimators 50 -> 20 in params.yaml"
sed -i 's/^n_estimators: 50$/n_estimators: 20/' params.yaml
nb2pipe run --dry-run

step "nb2pipe run (only the stages that read n_estimators, and those after them)"
nb2pipe run

step "dvc metrics show"
dvc metrics show

step "nb2pipe verify wine.ipynb (the notebook top to bottom vs the pipeline, in a scratch copy)"
sed -i 's/^n_estimators: 20$/n_estimators: 50/' params.yaml
nb2pipe verify wine.ipynb

step "nb2pipe sweep: four DVC experiments, two at a time (your workspace stays as it is)"
nb2pipe sweep -S n_estimators=20,80 -S max_depth=2,3 -j 2 --sort-by accuracy

step "dvc exp show (the sweep's experiments are DVC's own)"
dvc exp show --no-pager --only-changed --drop 'pipelines/.*|data/.*|Created'

cat <<NEXT

The pipeline is in $demo (dvc.yaml, params.yaml, pipelines/wine/).
Next things to try there, with nb2pipe's environment active (source $repo/.venv/bin/activate):
  cd $demo
  # an experiment: only train and evaluate re-run
  dvc exp run -S max_depth=3
  # take the best experiment of the sweep into the workspace
  dvc exp apply <name>
  # compare the experiments by what changed (parameters and metrics)
  dvc exp show --only-changed --drop 'pipelines/.*|data/.*|Created'
  # what would run, and why
  nb2pipe run --dry-run
  # the same pipeline as an Airflow DAG (dags/wine.py; see the README's Other engines)
  nb2pipe export --to airflow wine.ipynb
  # the same notebook in JupyterLab, with the Pipeline and Experiments panels
  cd $repo && make lab
NEXT
