"""Tests of the helpers in benchmarks/gan_truncation.py that the truncation, rejection and
frontier benchmarks share: the choice rule, the report's table heads, the run record."""

import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gan_truncation.py"
spec = importlib.util.spec_from_file_location("gan_truncation_under_test", SCRIPT)
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)


def test_choose_by_rule_takes_the_most_precise_key_that_keeps_the_recall():
    scores = {1.0: {"precision": 0.55, "recall": 0.80}, 0.8: {"precision": 0.65, "recall": 0.62},
              0.6: {"precision": 0.75, "recall": 0.40}}
    assert benchmark.choose_by_rule(scores, min_recall=0.6, fallback=1.0) == 0.8
    assert benchmark.choose_by_rule(scores, min_recall=0.9, fallback=1.0) == 1.0  # none qualifies


def test_mean_std_over_seeds():
    mean, std = benchmark.mean_std([1.0, 2.0, 3.0])
    assert (mean, std) == (2.0, 1.0)
    assert np.isnan(benchmark.mean_std([4.0])[1])  # one seed: no spread


def test_split_header_has_one_divider_per_column():
    header = "| minutes | FD | precision |"
    reference = {"precision": 0.9071, "recall": 0.8775}
    lines = benchmark.split_header("Validation", 1000, reference, header).split("\n")
    assert lines[0] == "## Validation (1,000 digits; real vs real: precision 0.907, recall 0.877)"
    assert lines[2] == header
    assert lines[3] == "| --- | --- | --- |"


def test_run_context_records_the_evaluator_machine_and_references(monkeypatch):
    monkeypatch.setattr(benchmark.gan_recipes, "references", lambda data, evaluator: {"n_test": len(data)})
    context = benchmark.run_context(SimpleNamespace(identity="classifier-x"), [1, 2, 3], evaluator=None)
    assert set(context) == {"evaluator", "machine", "load_average_at_end", "date_utc", "references"}
    assert context["evaluator"] == "classifier-x" and context["references"] == {"n_test": 3}
    assert f"{os.cpu_count()} cores, {benchmark.cpu_model()}" in context["machine"]
    assert len(context["load_average_at_end"]) == 3


def test_cpu_model_reads_the_model_name_line_or_falls_back(tmp_path, monkeypatch):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t: avx2\n")
    assert benchmark.cpu_model(cpuinfo) == "AMD EPYC 9B14"
    monkeypatch.setattr(benchmark.platform, "processor", lambda: "")
    cpuinfo.write_text("processor\t: 0\nCPU part\t: 0xd0c\n")  # aarch64 has no model name line
    assert benchmark.cpu_model(cpuinfo) == "unknown CPU"
    assert benchmark.cpu_model(tmp_path / "absent") == "unknown CPU"
