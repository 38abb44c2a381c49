"""acgr reconcile: cell-by-cell comparison with a published file (R6.5 layout).

Library and command line: matching on the keys both files have, exact duplicates
collapsed, ambiguous and one-sided keys listed by kind, files that are not ACGR
files refused in one line (exit 2). The real published subset
``cohort1718_Final.tsv`` (``tests/data``, provenance in its PROVENANCE.md)
is reconciled with itself.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from acgr.cli import app
from acgr.publish.acgr_file import read_cde_acgr
from acgr.read.extracts import ExtractError
from acgr.tools.reconcile import KINDS, reconcile, reconcile_frames
from tests.helpers import DATA, ROOT

EXPECTED = ROOT / "fixtures" / "expected" / "acgr.txt"
SUBSET_1718 = DATA / "cohort1718_Final.tsv"
DASHBOARD_2018 = DATA / "graddownload2018.txt"
runner = CliRunner()


def test_a_file_reconciles_with_itself() -> None:
    rec = reconcile(EXPECTED, EXPECTED)
    assert rec.differences.height == 0
    assert rec.rows_compared == read_cde_acgr(EXPECTED).height


def test_one_changed_cell_is_reported_with_its_keys(tmp_path: Path) -> None:
    lines = EXPECTED.read_text().splitlines()
    cells = lines[1].split("\t")
    cells[12] = str(int(cells[12]) + 1) if cells[12] != "*" else "5"  # graduates count
    changed = tmp_path / "theirs.txt"
    changed.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]) + "\n")
    rec = reconcile(EXPECTED, changed)
    assert rec.differences.height == 1
    row = rec.differences.row(0, named=True)
    assert row["column"] == "Regular HS Diploma Graduates (Count)"
    assert row["AggregateLevel"] == "T"


def test_zero_stripped_codes_and_yes_no_spellings_match() -> None:
    ours = pl.DataFrame(
        {
            "AggregateLevel": ["S"],
            "CountyCode": ["01"],
            "DistrictCode": ["10017"],
            "SchoolCode": ["0130401"],
            "CharterSchool": ["No"],
            "DASS": ["No"],
            "ReportingCategory": ["TA"],
            "CohortStudents": [20],
        }
    )
    theirs = ours.with_columns(
        pl.lit("1").alias("CountyCode"),
        pl.lit("130401").alias("SchoolCode"),
        pl.lit("N").alias("CharterSchool"),
        pl.lit("N").alias("DASS"),
    )
    # what the tolerant reader makes of the published spellings:
    norm = theirs.with_columns(
        pl.col("CountyCode").str.zfill(2),
        pl.col("SchoolCode").str.zfill(7),
        pl.lit("No").alias("CharterSchool"),
        pl.lit("No").alias("DASS"),
    )
    assert reconcile_frames(ours, norm).differences.height == 0
    assert (
        reconcile_frames(
            ours, norm.with_columns(pl.lit(21).alias("CohortStudents"))
        ).differences.height
        == 1
    )


def test_district_rows_with_zero_school_code_match_empty_codes() -> None:
    base = {
        "AggregateLevel": ["D"],
        "CountyCode": ["01"],
        "DistrictCode": ["10017"],
        "CharterSchool": ["All"],
        "DASS": ["All"],
        "ReportingCategory": ["TA"],
        "CohortStudents": [20],
    }
    ours = pl.DataFrame({**base, "SchoolCode": [None]}, schema_overrides={"SchoolCode": pl.String})
    theirs = pl.DataFrame({**base, "SchoolCode": ["0000000"]})
    rec = reconcile_frames(ours, theirs)
    assert rec.rows_compared == 1
    assert rec.differences.height == 0


# ------------------------------------------------------------ kinds of keys
#: A subset without AggregateLevel and DASS, as the published ``cohort1718_Final``.
SUBSET_HEADER = "\t".join(
    ["CountyCode", "DistrictCode", "SchoolCode", "CharterSchool", "ReportingCategory",
     "CohortStudents"]
)  # fmt: skip


def _subset(path: Path, rows: list[str]) -> Path:
    """Write ``|``-separated subset rows under :data:`SUBSET_HEADER`."""
    path.write_text("\n".join([SUBSET_HEADER, *(r.replace("|", "\t") for r in rows)]) + "\n")
    return path


def _dass_rows(**cohorts: int) -> pl.DataFrame:
    """Full-layout rows of district 01-10017, group GF, one per DASS value given."""
    n = len(cohorts)
    return pl.DataFrame(
        {
            "AggregateLevel": ["D"] * n,
            "CountyCode": ["01"] * n,
            "DistrictCode": ["10017"] * n,
            "SchoolCode": [None] * n,
            "CharterSchool": ["All"] * n,
            "DASS": list(cohorts),
            "ReportingCategory": ["GF"] * n,
            "CohortStudents": list(cohorts.values()),
        },
        schema_overrides={"SchoolCode": pl.String},
    )


def test_exact_duplicate_rows_are_collapsed_before_matching(tmp_path: Path) -> None:
    # arrange: the same row twice in theirs (as the published subset repeats rows)
    rows = ["1|10017|0|All|GF|157", "1|10017|0|All|GM|188"]
    ours = _subset(tmp_path / "ours.tsv", rows)
    theirs = _subset(tmp_path / "theirs.tsv", [rows[0], *rows])
    # act
    rec = reconcile(ours, theirs)
    # assert
    assert rec.duplicates_collapsed == (0, 1)
    assert (rec.rows_compared, rec.ambiguous_keys) == (2, 0)
    assert rec.agrees


def test_same_key_with_different_values_is_ambiguous_not_compared(tmp_path: Path) -> None:
    # arrange: two distinct rows of one key in theirs (DASS variants without DASS)
    ours = _subset(tmp_path / "ours.tsv", ["1|10017|0|All|GF|157", "1|10017|0|All|GM|188"])
    theirs = _subset(
        tmp_path / "theirs.tsv",
        ["1|10017|0|All|GF|157", "1|10017|0|All|GF|12", "1|10017|0|All|GM|188"],
    )
    # act
    rec = reconcile(ours, theirs)
    # assert
    assert rec.rows_compared == 1  # GM only
    assert rec.ambiguous.rows(named=True) == [
        {
            "AggregateLevel": "D",
            "CountyCode": "01",
            "DistrictCode": "10017",
            "SchoolCode": "",
            "CharterSchool": "All",
            "ReportingCategory": "GF",
            "rows_ours": 1,
            "rows_theirs": 2,
        }
    ]
    assert rec.differences.height == 0
    assert not rec.agrees


def test_keys_in_one_file_only_are_listed_on_their_side(tmp_path: Path) -> None:
    ours = _subset(tmp_path / "ours.tsv", ["1|10017|0|All|GF|157", "1|10017|130401|No|RH|20"])
    theirs = _subset(tmp_path / "theirs.tsv", ["1|10017|0|All|GF|157", "19|64733|0|All|RW|40"])
    rec = reconcile(ours, theirs)
    assert rec.only_ours.select("SchoolCode", "ReportingCategory").rows() == [("0130401", "RH")]
    assert rec.only_theirs.select("CountyCode", "ReportingCategory").rows() == [("19", "RW")]
    assert rec.counts() == {"differs": 0, "only_ours": 1, "only_theirs": 1, "ambiguous": 0}


def test_a_subset_without_dass_is_matched_on_the_keys_it_has() -> None:
    # arrange: ours has DASS; theirs, like the published subset, has neither DASS
    # nor AggregateLevel (inferred from the codes)
    theirs = (
        _dass_rows(All=30)
        .drop("DASS", "AggregateLevel")
        .with_columns(pl.lit("0000000").alias("SchoolCode"))
    )
    same_values = _dass_rows(All=30, No=30)  # DASS variants equal once DASS is dropped
    other_values = _dass_rows(All=30, No=29)
    # act
    same = reconcile_frames(same_values, theirs)
    other = reconcile_frames(other_values, theirs)
    # assert
    assert "DASS" not in same.keys
    assert "AggregateLevel" in same.keys
    assert (same.rows_compared, same.duplicates_collapsed, same.ambiguous_keys) == (1, (1, 0), 0)
    assert same.agrees
    assert (other.rows_compared, other.ambiguous_keys) == (0, 1)
    assert other.ambiguous.select("rows_ours", "rows_theirs").row(0) == (2, 1)


def test_listing_carries_every_kind_in_order() -> None:
    # arrange: one differing cell, one key in each file only, one ambiguous key
    def group(category: str, **cohorts: int) -> pl.DataFrame:
        return _dass_rows(**cohorts).with_columns(pl.lit(category).alias("ReportingCategory"))

    ours = pl.concat(
        [group("GF", All=30), group("SE", Yes=5), group("SD", All=8), group("SD", All=9)]
    )
    theirs = pl.concat([group("GF", All=31), group("SS", No=7), group("SD", All=8)])
    # act
    listing = reconcile_frames(ours, theirs).listing()
    # assert
    assert listing.columns == [
        "kind",
        "AggregateLevel",
        "CountyCode",
        "DistrictCode",
        "SchoolCode",
        "CharterSchool",
        "DASS",
        "ReportingCategory",
        "column",
        "ours",
        "theirs",
        "rows_ours",
        "rows_theirs",
    ]
    got = listing.select("kind", "DASS", "ReportingCategory", "column", "ours", "theirs",
                         "rows_ours", "rows_theirs").rows()  # fmt: skip
    assert got == [
        ("differs", "All", "GF", "CohortStudents", "30", "31", 1, 1),
        ("only_ours", "Yes", "SE", None, None, None, 1, 0),
        ("only_theirs", "No", "SS", None, None, None, 0, 1),
        ("ambiguous", "All", "SD", None, None, None, 2, 1),
    ]
    assert tuple(listing["kind"].unique(maintain_order=True)) == KINDS


# ------------------------------------------------------- not an ACGR file
@pytest.mark.parametrize(
    ("content", "missing"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02binary", "binary content"),
        (b"cds_code,county_name,district_name\n01100170000000,Alameda,X\n", "comma-separated"),
        (b"SENR^^LR1^1964733^1930000^^2014-2015^7000000042\n", "caret-delimited"),
        (b"cds\trtype\tstudentgroup\n00000000000000\tX\tALL\n", "a Dashboard file?"),
    ],
)
def test_reconcile_refuses_a_file_that_is_not_an_acgr_file(
    tmp_path: Path, content: bytes, missing: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(ExtractError, match=missing):
        reconcile(EXPECTED, bad)
    for args in ([str(EXPECTED), str(bad)], [str(bad), str(EXPECTED)]):
        res = runner.invoke(app, ["reconcile", *args])
        assert res.exit_code == 2, res.output
        assert res.stderr.count("\n") == 1
        assert res.stderr.startswith(f"acgr: error: {bad}: line 1: ")
        assert missing in res.stderr
        assert "Traceback" not in res.output
        assert "7000000042" not in res.output


def test_cli_reconcile_refuses_the_real_dashboard_file() -> None:
    res = runner.invoke(app, ["reconcile", str(EXPECTED), str(DASHBOARD_2018)])
    assert res.exit_code == 2
    assert res.stderr == (
        f"acgr: error: {DASHBOARD_2018}: line 1: not an ACGR file: header lacks CountyCode, "
        "DistrictCode, SchoolCode, ReportingCategory, CohortStudents (a Dashboard file?)\n"
    )


# ------------------------------------------------------------- command line
def test_cli_reconcile_of_a_file_with_itself_exits_0() -> None:
    res = runner.invoke(app, ["reconcile", str(EXPECTED), str(EXPECTED)])
    assert res.exit_code == 0, res.output
    assert f"rows compared (one row per key in each file): {read_cde_acgr(EXPECTED).height}" in (
        res.stdout
    )


def test_cli_reconcile_out_lists_each_kind_and_counts_them(tmp_path: Path) -> None:
    # arrange: a changed cell, a row only in ours, a row only in theirs, an ambiguous key
    ours = _subset(
        tmp_path / "ours.tsv",
        ["1|10017|0|All|GF|157", "1|10017|0|All|GM|188", "1|10017|130401|No|RH|20",
         "1|10017|0|All|RW|40", "1|10017|0|All|RW|41"],
    )  # fmt: skip
    theirs = _subset(
        tmp_path / "theirs.tsv",
        ["1|10017|0|All|GF|157", "1|10017|0|All|GM|189", "19|64733|0|All|RW|40",
         "1|10017|0|All|RW|40"],
    )  # fmt: skip
    out = tmp_path / "rec.csv"
    # act
    res = runner.invoke(app, ["reconcile", str(ours), str(theirs), "--out", str(out)])
    # assert: exit 1, a count per kind on the terminal, every one in the CSV
    assert res.exit_code == 1, res.output
    for line in ("differs             1 cells in 1 rows", "only_ours           1 keys",
                 "only_theirs         1 keys", "ambiguous           1 keys (2 rows of ours, "
                 "1 of theirs"):  # fmt: skip
        assert line in res.stdout, res.stdout
    listing = pl.read_csv(out, infer_schema=False)
    assert listing.select("kind", "ReportingCategory").rows() == [
        ("differs", "GM"),
        ("only_ours", "RH"),
        ("only_theirs", "RW"),
        ("ambiguous", "RW"),
    ]
    assert listing.row(0, named=True)["column"] == "CohortStudents"
    assert (listing.row(0, named=True)["ours"], listing.row(0, named=True)["theirs"]) == (
        "188",
        "189",
    )


def test_cli_reconcile_ambiguous_keys_alone_exit_1(tmp_path: Path) -> None:
    # nothing differs, but not every row could be compared: not a clean agreement
    rows = ["1|10017|0|All|RW|40", "1|10017|0|All|RW|41"]
    path = _subset(tmp_path / "a.tsv", rows)
    res = runner.invoke(app, ["reconcile", str(path), str(path)])
    assert res.exit_code == 1
    assert "differs             0 cells" in res.stdout
    assert "ambiguous           1 keys" in res.stdout


# --------------------------------------------------------- the real subset
def test_real_cohort1718_subset_reconciled_with_itself(tmp_path: Path) -> None:
    """44,548 rows = 17,710 exact duplicates + 17,707 compared + 9,131 in 3,411 ambiguous keys."""
    # act
    rec = reconcile(SUBSET_1718, SUBSET_1718)
    # assert
    assert rec.keys == [
        "AggregateLevel",
        "CountyCode",
        "DistrictCode",
        "SchoolCode",
        "CharterSchool",
        "ReportingCategory",
    ]
    assert rec.duplicates_collapsed == (17_710, 17_710)
    assert rec.rows_compared == 17_707
    assert rec.differences.height == 0
    assert (rec.only_ours.height, rec.only_theirs.height) == (0, 0)
    assert rec.ambiguous.height == 3_411
    rows_ambiguous = int(rec.ambiguous["rows_ours"].sum())
    assert rows_ambiguous == int(rec.ambiguous["rows_theirs"].sum()) == 9_131
    assert 17_710 + 17_707 + rows_ambiguous == read_cde_acgr(SUBSET_1718).height == 44_548
    assert rec.ambiguous["rows_ours"].min() == 2
    assert len(rec.columns_compared) == 7
    # and through the command line: every ambiguous key listed in the CSV
    out = tmp_path / "self.csv"
    res = runner.invoke(app, ["reconcile", str(SUBSET_1718), str(SUBSET_1718), "--out", str(out)])
    assert res.exit_code == 1
    assert "rows compared (one row per key in each file): 17,707" in res.stdout
    assert "differs             0 cells" in res.stdout
    assert "ambiguous       3,411 keys (9,131 rows of ours, 9,131 of theirs" in res.stdout
    assert "not on DASS (not in both files)" in res.stdout
    listing = pl.read_csv(out, infer_schema=False)
    assert listing.group_by("kind").len().rows() == [("ambiguous", 3_411)]
