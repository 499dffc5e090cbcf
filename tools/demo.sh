#!/usr/bin/env bash
# make demo: convert the wine example in a scratch DVC project and run its pipeline.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
demo="$repo/build/demo"
rm -rf "$demo"
mkdir -p "$demo"
cp -r "$repo/example_notebooks/wine/." "$demo/"
cd "$demo"
git init -q


dvc init -q
echo "== nb2pipe convert wine.ipynb"
nb2pipe convert wine.ipynb
git add -A >/dev/null && git -c user.name=nb2pipe-demo -c user.email=demo@nb2pipe.invalid commit -qm "wine notebook and its pipeline"
echo
echo "== dvc dag"
dvc dag
echo
echo "== dvc repro"
dvc repro 2>&1 | grep -E "^(Running stage|Stage|Updating|Use|Data)" || true
echo
echo "== dvc status"
dvc status
echo
echo "== metrics (dvc metrics show)"
dvc metrics show
echo
echo "The pipeline is in $demo (dvc.yaml, params.yaml, pipelines/wine/)."
