"""Fuzz the analysis and the export through the api: generated and mutated notebooks never make
nb2pipe raise anything but an Nb2PipeError. `make fuzz` runs thousands (NB2PIPE_FUZZ_EXAMPLES);
the normal suite runs a short, bounded version."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from .check import check_convert_on_disk, check_notebook, examples, report
from .notebooks import NOTEBOOKS, generated_notebook

FUZZ = settings(max_examples=examples(100), deadline=None, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)


@FUZZ
@given(NOTEBOOKS)
def test_analysis_and_export_of_any_notebook_fail_only_with_a_message(data):
    check_notebook(data)


@settings(FUZZ, max_examples=max(10, examples(100) // 20))
@given(generated_notebook())
def test_convert_on_disk_fails_only_with_a_message_and_leaves_no_temporary_file(data):
    check_convert_on_disk(data)


def test_report_analysis_crashes(capsys):
    """Not a check: says what the analysis crashed on (located for the user, still bugs)."""
    with capsys.disabled():
        print("\n" + report())
