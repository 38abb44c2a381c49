"""``acgr synth --lcff`` (:mod:`acgr.synth.lcff`): R10 on the synthetic extract gives back
CDE's published 2023-24 counts school by school, and the noise in it is what R10 ignores."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import acgr
from acgr.cli import app
from acgr.lcff_run import LcffResult
from acgr.publish.upc import COUNT_COLUMNS
from acgr.synth import LcffSynthSummary, write_lcff_synthetic
from acgr.synth.lcff import ARC_ORDER, solve_flags

PROFILES = Path(__file__).resolve().parents[1] / "data" / "cupc2324_schools.tsv"
SEED = 7
#: About fifty schools: the sample keeps one of every school type, low and high grade.
SCALE = 0.002
COUNTS = list(COUNT_COLUMNS)
KEY = ["County Code", "District Code", "School Code"]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> LcffSynthSummary:
    out = tmp_path_factory.mktemp("lcff")
    return write_lcff_synthetic(out, profiles=PROFILES, seed=SEED, scale=SCALE)


def _run(s: LcffSynthSummary, **kw: object) -> LcffResult:
    args: dict[str, object] = {
        "year": "2023-24",
        "schools": s.schools_path,
        "foster": s.foster_path,
        "direct_cert": s.direct_cert_path,
    }
    args.update(kw)
    return acgr.lcff(s.extract_dir, **args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def result(synth: LcffSynthSummary) -> LcffResult:
    return _run(synth)


def _expected(s: LcffSynthSummary) -> pl.DataFrame:
    return pl.read_csv(s.expected_path, separator="\t", infer_schema=False).select(
        *KEY, *(pl.col(c).cast(pl.Int64) for c in COUNTS)
    )


def _differences(upc: pl.DataFrame, s: LcffSynthSummary) -> dict[str, int]:
    """Per count column, the schools whose count is not the published one (a school
    missing on either side differs in every column)."""
    got = upc.select(*KEY, *COUNTS)
    both = got.join(_expected(s), on=KEY, how="full", suffix="_cde", coalesce=True)
    return {c: both.filter(pl.col(c).ne_missing(pl.col(f"{c}_cde"))).height for c in COUNTS}


def test_r10_reproduces_every_published_count_school_by_school(
    synth: LcffSynthSummary, result: LcffResult
) -> None:
    # assert: every count column of every school equals CDE's 2023-24 file
    assert _differences(result.schools, synth) == dict.fromkeys(COUNTS, 0)
    assert result.schools.height == synth.schools == _expected(synth).height
    assert result.census_day.isoformat() == "2023-10-04"
    assert result.students.height == synth.students


def test_sample_spans_every_school_type_and_grade_span(synth: LcffSynthSummary) -> None:
    # arrange: every row of CDE's file that R10 can reproduce
    cde = pl.read_csv(PROFILES, separator="\t", infer_schema=False)
    cde = cde.filter(pl.col("Total Enrollment").cast(pl.Int64) > 0)
    written = pl.read_csv(synth.expected_path, separator="\t", infer_schema=False)
    # assert
    for column in ("School Type", "Low Grade", "High Grade", "Charter School (Y/N)"):
        assert set(written[column]) == set(cde[column]), column
    assert 40 <= synth.schools <= 120


def test_noise_is_in_the_extract(synth: LcffSynthSummary, result: LcffResult) -> None:
    # assert: the findings that move the count (R10.2, R10.4) see the planted noise
    rules = result.findings["rule"]
    for rule in ("ACGR0301", "ACGR0302", "ACGR0303", "ACGR0304"):
        assert int((rules == rule).sum()) > 0, rule
    assert synth.not_enrolled > 0
    senr = pl.read_csv(
        synth.extract_dir / "senr.txt", separator="^", has_header=False, infer_schema=False
    )
    statuses = set(senr[:, 22])
    assert {"10", "20", "30"} <= statuses
    assert {"N470", "E170", "T160"} <= set(senr[:, 25].drop_nulls())
    assert {"TK", "KN", "01", "12"} <= set(senr[:, 23])


def _variant(tmp_path: Path, line: str) -> Path:
    p = tmp_path / "variant.toml"
    p.write_text(f'base = "lcff"\n{line}\n', encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("line", "moved"),
    [
        # R10.2: an N470 record opening on Census Day elsewhere would win the tie.
        ("uncounted_exit_codes = []", "Total Enrollment"),
        # R10.2: students with only a secondary (status 20) record would count.
        ('counted_short_term_statuses = ["30", "20"]', "Total Enrollment"),
        # R10.4: disabilities (144) records would make students FRPM-eligible.
        ('meal_programs = ["181", "182", "144"]', "Free & Reduced Meal Program"),
        # R10.4: an ELAS of TBD on Census Day would be EL.
        ('english_learner_status = "TBD"', "English Learner (EL)"),
    ],
)
def test_r10_counting_the_noise_breaks_the_reproduction(
    synth: LcffSynthSummary, tmp_path: Path, line: str, moved: str
) -> None:
    # act: the same extract under a rule variant that counts some of the noise
    res = _run(synth, rules=_variant(tmp_path, line))
    # assert
    assert _differences(res.schools, synth)[moved] > 0


def test_r10_1_a_census_day_one_day_early_breaks_the_reproduction(
    synth: LcffSynthSummary,
) -> None:
    # act: students who exited the day before Census Day would count, transfers move
    res = _run(synth, census_day="2023-10-03")
    # assert
    assert _differences(res.schools, synth)["Total Enrollment"] > 0


def test_r10_4_without_the_side_tables_foster_and_direct_cert_fall(
    synth: LcffSynthSummary,
) -> None:
    # act
    res = _run(synth, foster=None, direct_cert=None)
    # assert
    diff = _differences(res.schools, synth)
    assert diff["Foster"] > 0
    assert diff["Direct Certification"] > 0
    assert diff["Total Enrollment"] == 0


def _counts(**kw: int) -> dict[str, np.ndarray]:
    base = dict.fromkeys(ARC_ORDER, 0)
    base.update(kw)
    return {k: np.full(base["total"], v) for k, v in base.items()}


def test_r10_4_solve_flags_hand_worked_school() -> None:
    # arrange: 10 students; FRPM 4 and direct certification 5 wrap round U = 7, so
    # students 0 and 1 have both; homeless then foster take students 2 and 3.
    c = _counts(total=10, frpm=4, direct_certification=5, homeless=1, foster=1,
                unduplicated_frpm=7, english_learner=3, upc=8)  # fmt: skip
    # act
    f = solve_flags(np.arange(10), c, np.zeros(10, bool))
    # assert
    assert np.flatnonzero(f["frpm"]).tolist() == [0, 1, 2, 3]
    assert np.flatnonzero(f["direct_certification"]).tolist() == [0, 1, 4, 5, 6]
    assert np.flatnonzero(f["homeless"]).tolist() == [2]
    assert np.flatnonzero(f["foster"]).tolist() == [3]
    # EL: U + EL - UPC = 2 of them unduplicated (5, 6), one not (7): UPC 8.
    assert np.flatnonzero(f["english_learner"]).tolist() == [5, 6, 7]
    assert int((f["unduplicated_frpm"] | f["english_learner"]).sum()) == 8


def test_r10_4_juvenile_court_school_takes_the_least_overlap() -> None:
    # arrange: UPC is the total enrollment (R10.4), not |U ∪ EL|
    c = _counts(total=5, frpm=2, unduplicated_frpm=2, english_learner=4, upc=5)
    # act
    f = solve_flags(np.arange(5), c, np.ones(5, bool))
    # assert: 2 + 4 - 5 = 1 student both
    assert int((f["unduplicated_frpm"] & f["english_learner"]).sum()) == 1
    assert int(f["english_learner"].sum()) == 4


@st.composite
def _school(draw: st.DrawFn) -> dict[str, int]:
    total = draw(st.integers(1, 60))
    u = draw(st.integers(0, total))
    counts = {f: draw(st.integers(0, u)) for f in ARC_ORDER}
    if sum(counts.values()) < u:
        counts["frpm"] = u
    e = draw(st.integers(0, total))
    upc = draw(st.integers(max(u, e), min(u + e, total)))
    return {**counts, "total": total, "unduplicated_frpm": u, "english_learner": e, "upc": upc}


@settings(max_examples=200, deadline=None)
@given(_school())
def test_r10_4_solve_flags_meets_every_consistent_count(school: dict[str, int]) -> None:
    # act
    c = _counts(**school)
    f = solve_flags(np.arange(school["total"]), c, np.zeros(school["total"], bool))
    # assert
    for flag in (*ARC_ORDER, "unduplicated_frpm", "english_learner"):
        assert int(f[flag].sum()) == school[flag], flag
    union = np.logical_or.reduce([f[x] for x in ARC_ORDER])
    assert (union == f["unduplicated_frpm"]).all()
    assert int((f["unduplicated_frpm"] | f["english_learner"]).sum()) == school["upc"]


def _profile(tmp_path: Path, rows: list[list[str]]) -> Path:
    header = PROFILES.read_text(encoding="utf-8").splitlines()[0]
    first = PROFILES.read_text(encoding="utf-8").splitlines()[1].split("\t")
    lines = [header]
    for i, counts in enumerate(rows):
        cells = [*first]
        cells[3] = f"{i + 1:07d}"
        cells[8] = cells[9] = "Juvenile Court Schools" if counts[0] == "JC" else "Traditional"
        cells[16:26] = counts[1:]
        lines.append("\t".join(cells))
    p = tmp_path / "profiles.tsv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_inconsistent_schools_are_listed_and_skipped(tmp_path: Path) -> None:
    # arrange: counts = total, FRPM, foster, tribal, homeless, migrant, DC, U, EL, UPC
    rows = [
        ["", "10", "4", "0", "0", "0", "0", "2", "4", "3", "6"],  # fine
        ["", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"],  # nobody enrolled
        ["", "10", "2", "0", "0", "0", "0", "1", "5", "0", "5"],  # sources sum 3 < U 5
        ["", "10", "4", "0", "0", "0", "0", "0", "4", "3", "8"],  # UPC 8 > U + EL 7
        ["", "10", "4", "0", "0", "0", "0", "0", "12", "3", "10"],  # U above the total
        ["JC", "10", "4", "0", "0", "0", "0", "0", "4", "3", "6"],  # court UPC below total
    ]
    # act
    s = write_lcff_synthetic(tmp_path / "o", profiles=_profile(tmp_path, rows), seed=1)
    # assert
    skipped = pl.read_csv(s.skipped_path, infer_schema=False)
    assert [r[-7:] for r in skipped["cds_code"]] == [f"{i:07d}" for i in (2, 3, 4, 5, 6)]
    reasons = skipped["reason"].to_list()
    assert "no student enrolled" in reasons[0]
    assert "sum to less than Unduplicated FRPM" in reasons[1]
    assert "UPC is not the size" in reasons[2]
    assert "above Unduplicated FRPM Eligible or Total Enrollment" in reasons[3]
    assert "juvenile court" in reasons[4]
    assert (s.schools, s.skipped, s.students) == (1, 5, 10)
    res = _run(s, year="2023-24")
    assert _differences(res.schools, s) == dict.fromkeys(COUNTS, 0)


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    # act: a few dozen schools, three times
    runs = [
        write_lcff_synthetic(tmp_path / name, profiles=PROFILES, seed=seed, scale=0.0005)
        for name, seed in (("a", 3), ("b", 3), ("c", 4))
    ]
    # assert
    a, b, c = (_digests(r.extract_dir.parent) for r in runs)
    assert a == b
    assert a != c
    assert set(a) == {
        "calpads/senr.txt",
        "calpads/sprg.txt",
        "calpads/sela.txt",
        "foster.csv",
        "direct_cert.csv",
        "schools.csv",
        "expected_upc.txt",
        "skipped_schools.csv",
    }


def test_cli_synth_lcff_writes_the_extract_and_refuses_without_profiles(tmp_path: Path) -> None:
    # act
    runner = CliRunner()
    args = ["synth", "--lcff", "--seed", "1", "--scale", "0.0005", "--out", str(tmp_path / "o")]
    ok = runner.invoke(app, [*args, "--profiles", str(PROFILES)])
    refused = runner.invoke(app, args)
    # assert
    assert ok.exit_code == 0, ok.output
    assert "students enrolled on Census Day" in ok.output
    assert (tmp_path / "o" / "calpads" / "senr.txt").is_file()
    assert refused.exit_code == 2
    assert "--profiles" in refused.stderr
