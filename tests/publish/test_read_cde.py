"""Reading CDE ACGR files back with :func:`acgr.publish.acgr_file.read_cde_acgr` (docs/formats.md).

Real files (``tests/data``, provenance in its PROVENANCE.md): the two ACGR
subsets ``cohort1718_Final.tsv`` / ``cohort1819_Final.tsv`` (GF, GM, RH,
RW, RA rows, Excel-mangled: codes without leading zeros, ``100`` for ``100.0``,
``No `` with a trailing space) are read and every published rate is recomputed
with :mod:`acgr.publish.rates` (R6.2, R6.3). ``ag_eligibility.csv`` is a CSV derived from
the ACGR files (school TA rows), read with Polars. Synthetic files cover the rest
of the tolerance list (BOM, CRLF, the Golden State header, ``Y``/``N``, ``*``,
34- and 36-column layouts). The round trip reads what :func:`acgr_text` wrote for
the bundled fixture.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from acgr.pipeline import AcgrResult, compute
from acgr.publish.acgr_file import acgr_text, read_cde_acgr
from acgr.publish.rates import rate_tenths, tenths_text
from acgr.read.extracts import ExtractError
from tests.helpers import DATA, HEADER_34, ROOT

GRADS = "Regular HS Diploma Graduates"
GSSMD_RATE = "Golden State Seal Merit Diploma (Rate"  # CDE's header: no closing parenthesis
#: published subset -> (rows, academic year)
SUBSETS: dict[str, tuple[int, str]] = {
    "cohort1718_Final.tsv": (44_548, "2017-18"),
    "cohort1819_Final.tsv": (44_601, "2018-19"),
}
#: rate column -> (count column, denominator column) (R6.1, R6.2)
SUBSET_RATES: dict[str, tuple[str, str]] = {
    f"{GRADS} (Rate)": (f"{GRADS} (Count)", "CohortStudents"),
    "Met UC/CSU Grad Req's (Rate)": ("Met UC/CSU Grad Req's (Count)", f"{GRADS} (Count)"),
    "Seal of Biliteracy (Rate)": ("Seal of Biliteracy (Count)", f"{GRADS} (Count)"),
}
KEYS = ["CountyCode", "DistrictCode", "SchoolCode", "CharterSchool", "ReportingCategory"]


def recomputed(count: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """A published rate recomputed: half up on the exact ratio, 0.0 without a denominator."""
    return tenths_text(rate_tenths(count, denominator).fill_null(0)).cast(pl.Decimal(4, 1))


_SUBSET_CACHE: dict[str, pl.DataFrame] = {}


def subset(name: str) -> pl.DataFrame:
    if name not in _SUBSET_CACHE:
        _SUBSET_CACHE[name] = read_cde_acgr(DATA / name)
    return _SUBSET_CACHE[name]


# ============================================================ real published subsets


@pytest.mark.parametrize("name", sorted(SUBSETS))
def test_read_cde_acgr_reads_the_published_subset_typed(name: str) -> None:
    # act
    df = subset(name)
    raw = pl.read_csv(DATA / name, separator="\t", infer_schema=False)
    # assert: every row, every column, typed; nothing lost or starred
    assert df.height == SUBSETS[name][0] == raw.height
    assert df.columns == [*raw.columns, "suppressed"]
    assert df.schema["CohortStudents"] == pl.Int64
    for rate in SUBSET_RATES:
        assert df.schema[rate] == pl.Decimal(4, 1)
    assert df.null_count().row(0) == (0,) * df.width
    assert df["suppressed"].sum() == 0
    assert df["CohortStudents"].min() == 11
    # codes re-padded (Excel wrote 1, 0, 112607 ...)
    for col, width in (("CountyCode", 2), ("DistrictCode", 5), ("SchoolCode", 7)):
        assert (df[col].str.len_chars() == width).all(), col
    assert raw.filter(pl.col("CountyCode") == "1").height > 0
    assert (
        df.filter(pl.col("CountyCode") == "01").height
        == raw.filter(pl.col("CountyCode") == "1").height
    )
    # "No " (trailing space) normalised
    assert set(raw["CharterSchool"].unique()) == {"All", "Yes", "No "}
    assert set(df["CharterSchool"].unique()) == {"All", "Yes", "No"}
    # counts are the file's numbers
    assert (df["CohortStudents"] == raw["CohortStudents"].cast(pl.Int64)).all()


@pytest.mark.parametrize("name", sorted(SUBSETS))
def test_r6_3_every_published_rate_of_the_subset_recomputes(name: str) -> None:
    # arrange
    df = subset(name)
    # act: one Polars expression per rate over the whole frame
    checks = df.select(
        *(
            (recomputed(pl.col(num), pl.col(den)) == pl.col(rate)).alias(rate)
            for rate, (num, den) in SUBSET_RATES.items()
        )
    )
    # assert
    for rate in SUBSET_RATES:
        assert checks[rate].null_count() == 0
        assert checks[rate].all(), f"{name}: {rate}: {(~checks[rate]).sum()} rows differ"
    # the cases that pin the rules are present: exact ties and zero graduates (R6.2)
    ties = df.filter((pl.col(f"{GRADS} (Count)") * 1000) % pl.col("CohortStudents") * 2
                     == pl.col("CohortStudents"))  # fmt: skip
    assert ties.height > 100
    assert df.filter(pl.col(f"{GRADS} (Count)") == 0).height > 100


def test_r5_7_published_gender_rows_need_not_sum_to_ta() -> None:
    """GF + GM of the 2018-19 subset against the school TA rows of ag_eligibility.csv."""
    # arrange: school GF/GM rows (one per school: the All row), TA cohorts of 2018-19
    df = subset("cohort1819_Final.tsv")
    genders = (
        df.filter(
            (pl.col("SchoolCode") != "0000000")
            & (pl.col("CharterSchool") == "All")
            & pl.col("ReportingCategory").is_in(["GF", "GM"])
        )
        .unique(KEYS)
        .group_by(pl.concat_str("CountyCode", "DistrictCode", "SchoolCode").alias("cds14"))
        .agg(pl.col("CohortStudents").sum().alias("gf_gm"), pl.len().alias("rows"))
        .filter(pl.col("rows") == 2)
    )
    ta = pl.read_csv(DATA / "ag_eligibility.csv", infer_schema=False).filter(
        pl.col("ag_year") == "2018-19"
    )
    # act
    joined = genders.join(
        ta.select("cds14", pl.col("ag_cohort").cast(pl.Int64).alias("ta")), on="cds14"
    )
    # assert
    assert joined.height > 1900
    off = joined.filter(pl.col("gf_gm") != pl.col("ta"))
    assert off.height >= 1, "expected a school whose GF + GM differs from TA"
    assert (off["gf_gm"] < off["ta"]).all()  # the gender rows never exceed TA
    assert "19642871996479" in off["cds14"].to_list()


def test_r6_2_ag_eligibility_rates_recompute_from_counts() -> None:
    """A-G (Met UC/CSU) rate = met / regular-diploma graduates, half up (R6.2, R6.3).

    ``ag_eligibility.csv`` has cohort, met count and rate but not the graduates;
    they are recovered from ``diploma_rate`` of ``ag_eligibility_cleaned.csv`` as
    every count whose half-up rate over the cohort prints that diploma rate.
    Where all such counts give one A-G rate it must be the published one; where
    they disagree (large cohorts), one of them must give it.
    """
    # arrange
    ag = pl.read_csv(DATA / "ag_eligibility.csv", infer_schema=False)
    cleaned = pl.read_csv(DATA / "ag_eligibility_cleaned.csv", infer_schema=False)
    assert ag.height == 20_759
    joined = ag.with_columns(
        (pl.col("ag_year").str.slice(0, 4).cast(pl.Int64) + 1).cast(pl.String).alias("year")
    ).join(cleaned.select("cds14", "year", "cohort", "diploma_rate", "ag_met_raw"),
           on=["cds14", "year"])  # fmt: skip
    assert (joined["cohort"] == joined["ag_cohort"]).all()
    assert (joined["ag_met_raw"] == joined["ag_met_uccsu_count"]).all()
    tenths = (pl.col("diploma_rate").cast(pl.Decimal(5, 1)) * 10).cast(pl.Int64)
    rows = joined.select(
        "cds14",
        "year",
        pl.col("ag_cohort").cast(pl.Int64).alias("n"),
        pl.col("ag_met_uccsu_count").cast(pl.Int64).alias("met"),
        tenths.alias("diploma"),
        pl.col("ag_met_uccsu_rate").cast(pl.Decimal(4, 1)).alias("published"),
    ).drop_nulls()
    # act: candidate graduate counts around diploma/1000 x n, kept where they print the rate
    lo = ((pl.col("diploma") - 1) * pl.col("n") // 1000).clip(0)
    hi = ((pl.col("diploma") + 1) * pl.col("n") // 1000 + 1).clip(upper_bound=pl.col("n"))
    per_school = (
        rows.with_columns(pl.int_ranges(lo, hi + 1).alias("grads"))
        .explode("grads")
        .filter(rate_tenths(pl.col("grads"), pl.col("n")) == pl.col("diploma"))
        .with_columns(recomputed(pl.col("met"), pl.col("grads")).alias("ours"))
        .group_by("cds14", "year")
        .agg(
            pl.col("ours").n_unique().alias("distinct"),
            (pl.col("ours") == pl.col("published")).any().alias("any_match"),
            (pl.col("ours") == pl.col("published")).all().alias("all_match"),
        )
    )
    # assert
    assert per_school.height == rows.height > 20_000  # every row has a candidate
    unique = per_school.filter(pl.col("distinct") == 1)
    assert unique.height > 20_000
    assert unique["all_match"].all(), unique.filter(~pl.col("all_match")).head()
    assert per_school["any_match"].all(), per_school.filter(~pl.col("any_match")).head()
    # whole-number rates written without ".0" (2021-22 .. 2023-24) are read as numbers
    assert ag.filter(pl.col("ag_met_uccsu_rate") == "100").height > 0


# ============================================================== synthetic files

HEADER_36 = [
    *HEADER_34[:20],
    "Graduates Meeting Local Requirements Exemption (Count)",
    "Graduates Meeting Local Requirements Exemption (Rate)",
    "CPP Completer (Count)", "CPP Completer (Rate)",
    *HEADER_34[22:],
]  # fmt: skip
STAR_34 = ["*"] * 23
# a cohort of 20: 15 graduates (9 UC/CSU, 2 Seal, 0 GSSMD), 1 GED, 2 dropouts, 2 still enrolled
VALUES_34 = ["20", "15", "75.0", "9", "60.0", "2", "13.3", "0", "0", "0", "0.0", "0", "0.0",
             "0", "0", "1", "5", "0", "0.0", "2", "10", "2", "10.0"]  # fmt: skip
KEY_34 = ["2017-18", "S", "1", "10017", "112607", "Alameda", "Alameda County Office",
          "Envision Academy"]  # fmt: skip


def _file(tmp_path: Path, header: list[str], rows: list[list[str]], *, bom: bool,
          crlf: bool) -> Path:  # fmt: skip
    end = "\r\n" if crlf else "\n"
    text = end.join("\t".join(r) for r in [header, *rows]) + end
    path = tmp_path / "acgr.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def synthetic_34(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """A 34-column file with BOM, CRLF, Y/N flags, 0 vs 0.0, `*` rows, codes without zeros."""
    rows = [
        ["2017-18", "T", "0", "", "", "State", "", "", "All", "All", "TA", *VALUES_34],
        [*KEY_34, "Y", "N", "TA", *VALUES_34],
        [*KEY_34, "Yes", "No", "GM", *STAR_34],
        ["2017-18", "D", "1", "10017", "0", "Alameda", "Alameda County Office", "", "N", "All",
         "RD", *VALUES_34],
    ]  # fmt: skip
    path = _file(tmp_path_factory.mktemp("syn34"), HEADER_34, rows, bom=True, crlf=True)
    return read_cde_acgr(path)


def test_read_cde_acgr_bom_crlf_and_golden_state_header(synthetic_34: pl.DataFrame) -> None:
    assert synthetic_34.columns == [*HEADER_34, "suppressed"]  # no BOM, no "\r" left
    assert synthetic_34.height == 4
    assert synthetic_34["AcademicYear"].to_list() == ["2017-18"] * 4
    assert synthetic_34["Still Enrolled (Rate)"].to_list()[:2] == [Decimal("10.0")] * 2


def test_read_cde_acgr_yes_no_and_y_n_normalised(synthetic_34: pl.DataFrame) -> None:
    assert synthetic_34["CharterSchool"].to_list() == ["All", "Yes", "Yes", "No"]
    assert synthetic_34["DASS"].to_list() == ["All", "No", "No", "All"]


def test_read_cde_acgr_zero_and_zero_point_zero_are_one_value(synthetic_34: pl.DataFrame) -> None:
    r = synthetic_34.row(1, named=True)
    assert r[GSSMD_RATE] == Decimal("0.0")  # written "0"
    assert r["CHSPE Completer (Rate)"] == Decimal("0.0")  # written "0.0"
    assert r["Adult Ed. HS Diploma (Rate)"] == Decimal("0.0")  # "0"
    assert r["Dropout (Rate)"] == Decimal("10.0")  # written "10"
    assert synthetic_34.schema[f"{GRADS} (Rate)"] == pl.Decimal(4, 1)
    assert synthetic_34.schema["Dropout (Count)"] == pl.Int64


def test_read_cde_acgr_star_cells_are_null_and_suppressed(synthetic_34: pl.DataFrame) -> None:
    starred = synthetic_34.row(2, named=True)
    assert starred["suppressed"] is True
    assert all(starred[c] is None for c in HEADER_34[11:]), starred
    assert starred["ReportingCategory"] == "GM"
    assert synthetic_34["suppressed"].to_list() == [False, False, True, False]
    shown = synthetic_34.row(1, named=True)
    assert (shown["CohortStudents"], shown[f"{GRADS} (Count)"]) == (20, 15)


def test_read_cde_acgr_codes_regain_leading_zeros(synthetic_34: pl.DataFrame) -> None:
    codes = synthetic_34.select("CountyCode", "DistrictCode", "SchoolCode").rows()
    assert codes == [
        ("00", None, None),  # state: empty codes stay empty
        ("01", "10017", "0112607"),
        ("01", "10017", "0112607"),
        ("01", "10017", "0000000"),
    ]


def test_read_cde_acgr_36_column_layout(tmp_path: Path) -> None:
    # arrange: a 2023-24 file (exemption and CPP in place of CHSPE), LF, no BOM
    values = [*VALUES_34[:9], "1", "6.7", *VALUES_34[9:]]  # + 1 exemption (of 15)
    rows = [
        ["2023-24", "S", "19", "64733", "1930000", "Los Angeles", "LAUSD", "A High", "No", "No",
         "TA", *values],
        ["2023-24", "S", "19", "64733", "1930000", "Los Angeles", "LAUSD", "A High", "No", "No",
         "RI", *(["*"] * 25)],
    ]  # fmt: skip
    path = _file(tmp_path, HEADER_36, rows, bom=False, crlf=False)
    # act
    df = read_cde_acgr(path)
    # assert
    assert len(HEADER_36) == 36
    assert len(HEADER_34) == 34
    assert df.columns == [*HEADER_36, "suppressed"]
    assert "CHSPE Completer (Count)" not in df.columns
    ta = df.row(0, named=True)
    assert ta["Graduates Meeting Local Requirements Exemption (Count)"] == 1
    assert ta["Graduates Meeting Local Requirements Exemption (Rate)"] == Decimal("6.7")
    assert ta["CPP Completer (Count)"] == 0
    assert ta["GED Completer (Count)"] == 1
    assert ta["Still Enrolled (Rate)"] == Decimal("10.0")
    assert df["suppressed"].to_list() == [False, True]
    assert df.row(1, named=True)["CPP Completer (Rate)"] is None


def test_read_cde_acgr_34_and_36_share_their_common_columns(
    tmp_path: Path, synthetic_34: pl.DataFrame
) -> None:
    # the same TA row in both layouts reads to the same values in every shared column
    values = [*VALUES_34[:9], "1", "6.7", *VALUES_34[9:]]
    row36 = [*KEY_34, "Y", "N", "TA", *values]
    df36 = read_cde_acgr(_file(tmp_path, HEADER_36, [row36], bom=False, crlf=False))
    shared = [c for c in HEADER_34 if c in HEADER_36 and c != "AcademicYear"]
    assert len(shared) == 31
    assert df36.select(shared).row(0) == synthetic_34.select(shared).row(1)


# =================================================================== round trip


@pytest.fixture(scope="module")
def fixture_result() -> AcgrResult:
    return compute(
        ROOT / "fixtures" / "extract",
        class_of=2018,
        schools=ROOT / "fixtures" / "schools.csv",
        engine="in-memory",
    )


def _nulled(rates: pl.DataFrame) -> pl.DataFrame:
    values = [c for c in rates.columns[11:] if c != "suppressed"]
    return rates.with_columns(
        pl.when(~pl.col("suppressed")).then(pl.col(c)).alias(c) for c in values
    )


@pytest.mark.parametrize(("bom", "crlf"), [(False, False), (True, True)])
def test_round_trip_acgr_text_reads_back_as_rates_with_suppressed_cells_nulled(
    tmp_path: Path, fixture_result: AcgrResult, bom: bool, crlf: bool
) -> None:
    # arrange: what acgr_text wrote (as is, or as a CDE copy with BOM and CRLF)
    text = acgr_text(fixture_result.rates)
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / "acgr.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    # act
    back = read_cde_acgr(path)
    # assert
    expected = _nulled(fixture_result.rates)
    assert expected["suppressed"].any()
    assert not expected["suppressed"].all()
    assert_frame_equal(back, expected)


def test_round_trip_rates_of_our_file_recompute(tmp_path: Path, fixture_result: AcgrResult) -> None:
    # every non-suppressed rate read back equals its count over its denominator (R6.1-R6.3)
    path = tmp_path / "acgr.txt"
    path.write_text(acgr_text(fixture_result.rates))
    back = read_cde_acgr(path).filter(~pl.col("suppressed"))
    assert back.height > 0
    checks = []
    for i, col in enumerate(back.columns):
        if not col.endswith("(Count)"):
            continue
        rate = back.columns[i + 1]
        graduates_based = col.split(" (")[0] in (
            "Met UC/CSU Grad Req's",
            "Seal of Biliteracy",
            "Golden State Seal Merit Diploma",
        )
        den = f"{GRADS} (Count)" if graduates_based else "CohortStudents"
        checks.append((recomputed(pl.col(col), pl.col(den)) == pl.col(rate)).all().alias(rate))
    assert len(checks) == 11
    result = back.select(checks).row(0, named=True)
    assert all(result.values()), result
    assert back["AcademicYear"].unique().to_list() == ["2017-18"]  # class of 2018


# ====================================================== files that are not ACGR files

#: A planted identifier: a wrong file may hold student records, never to be echoed.
SECRET_SSID = "7000000042"

NOT_ACGR: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "line 1: empty file"),
    "blank lines and a BOM": (b"\xef\xbb\xbf\r\n\n", "line 1: empty file"),
    "binary": (b"PK\x03\x04\x00\x00\x14binary", "line 1: binary content"),
    "dashboard file": (
        b"cds\trtype\tstudentgroup\tcurrnumer\n00000000000000\tX\tALL\t1\n",
        "header lacks CountyCode, DistrictCode, SchoolCode, ReportingCategory, "
        "CohortStudents (a Dashboard file?)",
    ),
    "schools csv": (
        b"cds_code,county_name,district_name\n01100170000000,Alameda,X\n",
        "(comma-separated, not tab-delimited?)",
    ),
    "caret extract": (
        f"SENR^^LR1^1964733^1930000^^2014-2015^{SECRET_SSID}^1^Avery\n".encode(),
        "(caret-delimited: a CALPADS extract?)",
    ),
    "one column missing": (
        "\t".join(c for c in HEADER_34 if c != "ReportingCategory").encode() + b"\n",
        "header lacks ReportingCategory",
    ),
    "header only": (("\t".join(HEADER_34) + "\n").encode(), "line 2: no rows after"),
}


@pytest.mark.parametrize("kind", sorted(NOT_ACGR))
def test_read_cde_acgr_refuses_a_file_that_is_not_an_acgr_file(tmp_path: Path, kind: str) -> None:
    # arrange
    content, expected = NOT_ACGR[kind]
    path = tmp_path / "given.txt"
    path.write_bytes(content)
    # act
    with pytest.raises(ExtractError) as caught:
        read_cde_acgr(path)
    # assert: one line naming the file and what is missing, no cell of the file
    message = str(caught.value)
    assert message.startswith(f"{path}: line ")
    assert expected in message
    assert "\n" not in message
    assert SECRET_SSID not in message


def test_read_cde_acgr_refuses_a_missing_file_as_extract_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match=r"absent\.txt: cannot be read"):
        read_cde_acgr(tmp_path / "absent.txt")


def test_read_cde_acgr_refuses_the_real_2018_dashboard_file() -> None:
    with pytest.raises(ExtractError, match=r"graddownload2018\.txt: line 1: not an ACGR file"):
        read_cde_acgr(DATA / "graddownload2018.txt")


def test_read_cde_acgr_require_names_the_columns_a_subset_lacks() -> None:
    # the published subset is an ACGR file, but not one the Dashboard can use
    path = DATA / "cohort1718_Final.tsv"
    assert read_cde_acgr(path).height == 44_548
    with pytest.raises(ExtractError) as caught:
        read_cde_acgr(path, require=["AcademicYear", "AggregateLevel", "CharterSchool", "DASS"])
    assert str(caught.value) == (
        f"{path}: line 1: not an ACGR file: header lacks AcademicYear, AggregateLevel, DASS"
    )
