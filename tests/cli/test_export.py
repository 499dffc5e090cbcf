"""`nb2pipe export --to airflow`: the DAG file follows the notebook like dvc.yaml does, and a
DAG changed by hand is never silently lost."""

from __future__ import annotations

from .helpers import assert_refused, assert_usage_error, nb2pipe, ok, snapshot, write_nb

CELLS = [("parameters", "n = 3"), ("stage:make", "xs = list(range(n))"),
         ("stage:total", "total = sum(xs)")]


def test_export_converts_the_notebook_and_writes_one_dag(tmp_path):
    write_nb(tmp_path, CELLS)
    proc = ok("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    assert "wrote dags/nb.py" in proc.stdout
    assert "airflow dags test nb" in proc.stdout
    dag = (tmp_path / "dags" / "nb.py").read_text(encoding="utf-8")
    assert (tmp_path / "dvc.yaml").exists()  # the stages the DAG runs are dvc.yaml's
    assert "make = stage_task('make'" in dag and "make >> total" in dag
    assert "'n': 3," in dag
    again = ok("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    assert "is up to date" in again.stdout
    folder = ok("export", "--to", "airflow", str(tmp_path), cwd=tmp_path)  # the folder form
    assert "is up to date" in folder.stdout


def test_re_export_follows_a_notebook_change(tmp_path):
    write_nb(tmp_path, CELLS)
    ok("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    write_nb(tmp_path, CELLS + [("stage:show", "print(total)")])
    proc = ok("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    assert "wrote dags/nb.py" in proc.stdout
    dag = (tmp_path / "dags" / "nb.py").read_text(encoding="utf-8")
    assert "total >> show" in dag


def test_a_hand_edited_dag_is_refused_without_force(tmp_path):
    write_nb(tmp_path, CELLS)
    ok("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    dag = tmp_path / "dags" / "nb.py"
    dag.write_text(dag.read_text(encoding="utf-8") + "# my change\n", encoding="utf-8")
    write_nb(tmp_path, CELLS + [("stage:show", "print(total)")])
    before = snapshot(tmp_path / "dags")
    proc = nb2pipe("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "dags/nb.py' changed since nb2pipe wrote it" in proc.stderr
    assert "--force" in proc.stderr
    assert snapshot(tmp_path / "dags") == before
    ok("export", "--to", "airflow", "nb.ipynb", "--force", cwd=tmp_path)
    assert "# my change" not in dag.read_text(encoding="utf-8")


def test_a_dag_file_nb2pipe_did_not_write_is_not_overwritten(tmp_path):
    write_nb(tmp_path, CELLS)
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "nb.py").write_text("# someone's DAG\n", encoding="utf-8")
    proc = nb2pipe("export", "--to", "airflow", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 1
    assert "changed since nb2pipe wrote it" in proc.stderr
    assert (tmp_path / "dags" / "nb.py").read_text(encoding="utf-8") == "# someone's DAG\n"


def test_storage_options_are_checked(tmp_path):
    write_nb(tmp_path, CELLS)
    assert_refused(nb2pipe("export", "--to", "airflow", "nb.ipynb", "--storage", "shared/dir",
                           cwd=tmp_path), "--storage 'shared/dir' is neither a URL")
    assert not (tmp_path / "dags").exists()
    ok("export", "--to", "airflow", "nb.ipynb", "--storage", "s3://bucket/prefix",
       "--retries", "3", "--timeout", "60", cwd=tmp_path)
    dag = (tmp_path / "dags" / "nb.py").read_text(encoding="utf-8")
    assert "STORAGE = 's3://bucket/prefix'" in dag
    assert '"retries": 3,' in dag and "timedelta(seconds=60)" in dag


def test_bad_usage(tmp_path):
    assert_usage_error(nb2pipe("export", "--to", "argo", "nb.ipynb", cwd=tmp_path),
                       "invalid choice: 'argo'")
    assert_usage_error(nb2pipe("export", "--to", "airflow", "--retries", "-1", cwd=tmp_path),
                       "is not a whole number")
    assert_refused(nb2pipe("export", "--to", "airflow", str(tmp_path), cwd=tmp_path),
                   "has no dvc.yaml")


def test_export_to_kfp_writes_a_pipeline_file_with_its_own_record(tmp_path):
    write_nb(tmp_path, CELLS)
    proc = ok("export", "--to", "kfp", "nb.ipynb", cwd=tmp_path)
    assert "wrote kfp/nb.py" in proc.stdout and "python kfp/nb.py" in proc.stdout
    text = (tmp_path / "kfp" / "nb.py").read_text(encoding="utf-8")
    assert "def stage_make(project_root: str, run_id: str, n: int):" in text
    assert "def pipeline(n: int = 3):" in text
    assert not (tmp_path / "dags").exists()
    (tmp_path / "kfp" / "nb.py").write_text(text + "# mine\n", encoding="utf-8")
    assert_refused(nb2pipe("export", "--to", "kfp", "nb.ipynb", cwd=tmp_path),
                   "kfp/nb.py' changed since nb2pipe wrote it")
