"""The synthetic CALPADS extract generator (:mod:`acgr.synth`) on a tiny extract."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from acgr.pipeline import AcgrResult, compute
from acgr.read.directory import read_directory
from acgr.read.extracts import read_inputs
from acgr.read.layouts import LAYOUTS
from acgr.synth import SynthSummary, write_synthetic

CLASS_OF = 2018
STUDENTS = 300
SEED = 42


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return write_synthetic(
        tmp_path_factory.mktemp("synth"), class_of=CLASS_OF, students=STUDENTS, seed=SEED
    )


@pytest.fixture(scope="module")
def result(synth: SynthSummary) -> AcgrResult:
    return compute(synth.extract_dir, class_of=CLASS_OF, schools=synth.schools_path)


def test_same_seed_gives_byte_identical_files(synth: SynthSummary, tmp_path: Path) -> None:
    # act
    again = write_synthetic(tmp_path / "a", class_of=CLASS_OF, students=STUDENTS, seed=SEED)
    other = write_synthetic(tmp_path / "b", class_of=CLASS_OF, students=STUDENTS, seed=SEED + 1)
    # assert
    first = _digests(synth.extract_dir.parent)
    assert _digests(again.extract_dir.parent) == first
    assert _digests(other.extract_dir.parent) != first
    assert set(first) == {
        "calpads/senr.txt",
        "calpads/sinf.txt",
        "calpads/sprg.txt",
        "calpads/sela.txt",
        "schools.csv",
    }


def test_summary_counts(synth: SynthSummary) -> None:
    # assert: the class plus 1.5 times as many students in each neighbouring class
    assert synth.class_students == STUDENTS
    assert synth.students == STUDENTS * 4
    assert synth.senr_rows >= 5 * synth.students
    assert synth.files == 5
    assert sum(synth.expected_outcomes[CLASS_OF].values()) == STUDENTS
    removed = synth.expected_outcomes[CLASS_OF].get("Removed", 0)
    assert synth.cohort_students == STUDENTS - removed


def test_files_are_submission_layout_with_no_reader_findings(synth: SynthSummary) -> None:
    # act
    extracts = read_inputs(synth.extract_dir)
    reader_findings = extracts.findings.collect()
    # assert: every line has its layout's field count and parses cleanly
    for name in ("senr", "sinf", "sprg", "sela"):
        lines = (synth.extract_dir / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        n_fields = {line.count("^") + 1 for line in lines}
        assert n_fields == {len(LAYOUTS[name.upper()].fields)}, name
        assert extracts.table(name).select(pl.len()).collect().item() == len(lines)
    assert reader_findings.filter(pl.col("rule").str.contains("^(FRMT|EXTR)")).height == 0
    assert extracts.senr.select(pl.len()).collect().item() == synth.senr_rows


def test_records_are_valid_for_the_rules(synth: SynthSummary) -> None:
    # arrange
    senr = read_inputs(synth.extract_dir).senr.collect()
    code, exit_date = pl.col("student_exit_reason_code"), pl.col("enrollment_exit_date")
    # assert: exit code and exit date come together; E230 always has a completion
    assert senr.filter(code.is_null() != exit_date.is_null()).height == 0
    assert (
        senr.filter(
            (code == "E230")
            & ~pl.col("student_school_completion_status").is_in(
                ["100", "120", "250", "320", "330", "360"]
            )
        ).height
        == 0
    )
    assert senr.filter(exit_date < pl.col("enrollment_start_date")).height == 0
    # nothing starts after the extraction date (15 September of the class year)
    assert senr.filter(pl.col("enrollment_start_date") > dt.date(CLASS_OF, 9, 15)).height == 0
    assert set(senr["grade_level_code"].unique()) <= {"07", "08", "09", "10", "11", "12"}
    # every school of the extract is in the schools directory
    directory = read_directory(synth.schools_path)
    cds = senr.select(pl.concat_str("reporting_lea", "school_of_attendance").unique())
    assert set(cds.to_series()) <= set(directory["cds_code"])


def test_compute_gives_a_plausible_cohort_without_fatal_findings(result: AcgrResult) -> None:
    # arrange
    cohort = result.students.filter(pl.col("in_cohort"))
    # assert
    assert result.findings.filter(pl.col("severity") == "fatal").height == 0
    share = cohort.filter(pl.col("outcome") == "Graduate").height / cohort.height
    assert 0.70 <= share <= 0.95


def test_compute_finds_the_outcomes_built_in(synth: SynthSummary, result: AcgrResult) -> None:
    # act
    got = dict(result.students["outcome"].value_counts().iter_rows())
    # assert: each student's story gives the outcome it was built for (docs/rules.md R3)
    assert got == dict(synth.expected_outcomes[CLASS_OF])


def test_several_classes_in_one_folder(tmp_path: Path) -> None:
    # act
    summary = write_synthetic(tmp_path, class_of=CLASS_OF, students=100, seed=1, classes=2)
    senr = read_inputs(summary.extract_dir).senr.collect()
    # assert
    assert sorted(summary.expected_outcomes) == [CLASS_OF, CLASS_OF + 1]
    assert summary.class_students == 200
    assert summary.students == 100 * 2 + 150 * 2
    assert senr.filter(pl.col("enrollment_start_date") > dt.date(CLASS_OF + 1, 9, 15)).height == 0
