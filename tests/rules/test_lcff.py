"""Hand-worked cases of the LCFF unduplicated pupil count (docs/rules.md R10).

Academic year 2024-25: Census Day 2 October 2024; the year runs 1 July 2024 - 30 June 2025.
Every student is a few SENR/SPRG/SELA lines written with :mod:`acgr.testing`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from acgr import RefusedError, lcff
from acgr.lcff_run import LcffResult
from acgr.publish.upc import LEA_COLUMNS, UPC_COLUMNS
from acgr.rules.lcff import load_lcff_rules, parse_academic_year
from acgr.testing import record_line, write_extract
from tests.helpers import DATA, LEA, SCHOOL, rec

D = dt.date
CENSUS = D(2024, 10, 2)
START = D(2024, 8, 20)


def prog(ssid: str, code: str, start: dt.date, end: dt.date | None = None) -> str:
    """One SPRG line of a program membership at the default school."""
    return record_line(
        "SPRG",
        {
            "ssid": ssid,
            "reporting_lea": LEA,
            "school_of_attendance": SCHOOL,
            "education_program_code": code,
            "education_program_membership_start_date": start,
            "education_program_membership_end_date": end,
        },
    )


def elas(ssid: str, status: str, start: dt.date, language: str = "01") -> str:
    """One SELA line: an ELAS status from ``start``."""
    return record_line(
        "SELA",
        {
            "ssid": ssid,
            "reporting_lea": LEA,
            "school_of_attendance": SCHOOL,
            "english_acquisition_status_code": status,
            "english_acquisition_status_start_date": start,
            "primary_language_code": language,
        },
    )


def run(
    tmp_path: Path,
    senr: list[str],
    sprg: list[str] = (),  # type: ignore[assignment]
    sela: list[str] = (),  # type: ignore[assignment]
    **kw: Any,
) -> LcffResult:
    folder = tmp_path / "ex"
    write_extract(folder / "senr.txt", senr)
    if sprg:
        write_extract(folder / "sprg.txt", sprg)
    if sela:
        write_extract(folder / "sela.txt", sela)
    return lcff([folder], year=kw.pop("year", "2024-25"), **kw)


def flags(result: LcffResult, ssid: str) -> dict[str, Any]:
    rows = result.students.filter(pl.col("ssid") == ssid).to_dicts()
    assert len(rows) == 1, f"{ssid} counted {len(rows)} times"
    return rows[0]


def counted(result: LcffResult) -> set[str]:
    return set(result.students["ssid"])


# ------------------------------------------------------------------ R10.1
def test_r10_1_census_day_is_the_first_wednesday_of_october() -> None:
    rules = load_lcff_rules()
    assert rules.census_day_for(2024) == D(2024, 10, 2)
    assert rules.census_day_for(2025) == D(2025, 10, 1)
    assert rules.census_day_for(2023) == D(2023, 10, 4)
    assert rules.census_day_for(2018) == D(2018, 10, 3)
    for year in range(2000, 2040):
        day = rules.census_day_for(year)
        assert day.month == 10
        assert day.isoweekday() == 3
        assert day.day <= 7


def test_r10_1_academic_year_spellings_and_refusals() -> None:
    assert parse_academic_year("2024-25") == parse_academic_year("2024-2025") == 2024
    for bad in ("2024", "2024-26", "24-25", "2024/25", "2024-2026"):
        with pytest.raises(RefusedError):
            parse_academic_year(bad)


def test_r10_1_census_day_may_be_overridden_inside_the_year(tmp_path: Path) -> None:
    result = run(tmp_path, [rec("1", D(2024, 10, 3), "03")], census_day="2024-10-09")
    assert result.census_day == D(2024, 10, 9)
    assert counted(result) == {"1"}
    with pytest.raises(RefusedError, match="outside the academic year"):
        run(tmp_path, [rec("1", START, "03")], census_day="2025-10-01")


# ------------------------------------------------------------------ R10.2
def test_r10_2_exit_on_census_day_counts_start_the_day_after_does_not(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [
            rec("1", START, "05", exit=CENSUS, code="T160"),
            rec("2", CENSUS + dt.timedelta(days=1), "05"),
            rec("3", CENSUS, "05"),
            rec("4", START, "05", exit=CENSUS - dt.timedelta(days=1), code="T160"),
        ],
    )
    assert counted(result) == {"1", "3"}


def test_r10_2_secondary_never_short_term_counts_after_primary(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [
            rec("1", START, "07", status="20"),
            rec("2", START, "07", status="30", school="0000002"),
            rec("3", START, "07", status="30", school="0000002"),
            rec("3", D(2024, 6, 1), "07", status="10", school="0000003"),
        ],
    )
    assert counted(result) == {"2", "3"}
    assert flags(result, "2")["school_code"] == "0000002"
    # A primary record wins over a short-term one, even an older one.
    assert flags(result, "3")["school_code"] == "0000003"


def test_r10_2_no_show_n470_is_not_counted(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [rec("1", START, "02", exit=D(2024, 12, 1), code="N470"), rec("2", START, "02")],
    )
    assert counted(result) == {"2"}


def test_r10_2_two_open_primary_records_count_at_one_school(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [
            rec("1", START, "04", school="0000005"),
            rec("1", D(2024, 9, 1), "04", school="0000009"),  # latest start wins
            rec("2", START, "04", school="0000009"),
            rec("2", START, "04", school="0000005"),  # same start: lower school code
        ],
    )
    assert flags(result, "1")["school_code"] == "0000009"
    assert flags(result, "2")["school_code"] == "0000005"
    assert result.schools["Total Enrollment"].sum() == 2


def test_r10_2_every_grade_tk_to_12_and_ungraded_counts(tmp_path: Path) -> None:
    grades = ["TK", "KN", *(f"{g:02d}" for g in range(1, 13)), "UE", "US"]
    lines = [rec(str(100 + i), START, g) for i, g in enumerate(grades)]
    lines.append(rec("999", START, "AD"))  # not a K-12 grade
    result = run(tmp_path, lines)
    assert result.students.height == len(grades)
    assert "999" not in counted(result)


def test_r10_2_refuses_without_senr_or_without_anyone_enrolled(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="no student is enrolled on Census Day"):
        run(tmp_path, [rec("1", D(2024, 11, 1), "03")])
    folder = tmp_path / "only"
    write_extract(folder / "sprg.txt", [prog("1", "181", START)])
    with pytest.raises(RefusedError, match="no SENR record"):
        lcff([folder], year="2024-25")


# ------------------------------------------------------------------ R10.4
def test_r10_4_program_flags_count_only_inside_the_academic_year(tmp_path: Path) -> None:
    senr = [rec(s, START, "06") for s in "123456"]
    sprg = [
        prog("1", "181", D(2023, 8, 1), D(2024, 6, 30)),  # ended before 1 July: no
        prog("2", "182", D(2023, 8, 1), D(2024, 7, 1)),  # ends on 1 July: yes
        prog("3", "191", D(2025, 7, 1)),  # starts after 30 June: no
        prog("4", "135", D(2025, 6, 30)),  # starts on 30 June (after Census Day): yes
        prog("5", "193", D(2022, 1, 1)),  # still open: yes
        prog("6", "144", START),  # disabilities: not an R10.4 flag
    ]
    result = run(tmp_path, senr, sprg)
    assert not flags(result, "1")["frpm"]
    assert flags(result, "2")["frpm"]
    assert flags(result, "2")["upc"]
    assert not flags(result, "3")["homeless"]
    assert flags(result, "4")["migrant"]
    assert flags(result, "4")["unduplicated_frpm"]
    assert flags(result, "5")["tribal_foster"]
    assert flags(result, "5")["upc"]
    assert not flags(result, "6")["upc"]


def test_r10_4_each_flag_keeps_the_record_behind_it(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [rec("1", START, "06")],
        [prog("1", "144", START), prog("1", "181", START)],
        [elas("1", "EL", D(2020, 8, 1))],
    )
    row = flags(result, "1")
    assert row["frpm_file"].endswith("sprg.txt")
    assert row["frpm_line"] == 2
    assert row["english_learner_file"].endswith("sela.txt")
    assert row["english_learner_line"] == 1
    assert row["enrollment_file"].endswith("senr.txt")
    assert row["enrollment_line"] == 1
    assert row["homeless_file"] is None


def test_r10_4_the_record_behind_a_flag_is_the_first_by_line(tmp_path: Path) -> None:
    """Of three meal records, the flag names the lowest line (not the last or any)."""
    result = run(
        tmp_path,
        [rec("1", START, "06")],
        [prog("1", "191", START), prog("1", "182", START), prog("1", "181", START),
         prog("1", "182", START)],
        [],
    )  # fmt: skip
    row = flags(result, "1")
    assert (row["frpm_line"], row["homeless_line"]) == (2, 1)


def test_r10_4_english_learner_is_the_status_on_census_day(tmp_path: Path) -> None:
    senr = [rec(s, START, "03") for s in "12345"]
    sela = [
        elas("1", "EL", D(2020, 8, 1)),
        elas("1", "RFEP", D(2024, 9, 1)),  # reclassified before Census Day: not EL
        elas("2", "EL", D(2020, 8, 1)),
        elas("2", "RFEP", D(2024, 10, 3)),  # reclassified after: EL
        elas("3", "TBD", D(2024, 8, 20)),  # to be determined: not EL
        elas("4", "EL", D(2024, 10, 2), language="00"),  # EL from Census Day; no language filter
        elas("5", "RFEP", D(2024, 8, 1)),
        elas("5", "EL", D(2024, 8, 1)),  # same day: EL sorts first and holds (R5.3)
    ]
    result = run(tmp_path, senr, sela=sela)
    el = {s: flags(result, s)["english_learner"] for s in "12345"}
    assert el == {"1": False, "2": True, "3": False, "4": True, "5": True}
    assert flags(result, "2")["upc"]
    assert not flags(result, "2")["unduplicated_frpm"]


def test_r10_4_foster_match_overlapping_the_year(tmp_path: Path) -> None:
    foster = pl.DataFrame(
        {
            "ssid": ["1", "2", "3"],
            "start_date": ["2023-01-01", "2023-01-01", "2025-07-01"],
            "end_date": ["2024-06-30", None, None],
        }
    )
    result = run(tmp_path, [rec(s, START, "08") for s in "123"], foster=foster)
    assert [flags(result, s)["foster"] for s in "123"] == [False, True, False]
    assert flags(result, "2")["foster_file"] == "<foster>"
    assert flags(result, "2")["foster_line"] == 3  # header is line 1


def test_r10_4_direct_certification_of_this_year_only(tmp_path: Path) -> None:
    dc = tmp_path / "dc.csv"
    dc.write_text("ssid,academic_year\n1,2024-25\n2,2024-2025\n3,2023-24\n", encoding="utf-8")
    result = run(tmp_path, [rec(s, START, "08") for s in "123"], direct_cert=dc)
    assert [flags(result, s)["direct_certification"] for s in "123"] == [True, True, False]
    assert flags(result, "2")["direct_certification_file"] == str(dc)
    assert flags(result, "2")["direct_certification_line"] == 3


def test_r10_4_juvenile_court_school_upc_is_total_enrollment(tmp_path: Path) -> None:
    schools = tmp_path / "schools.tsv"
    schools.write_text(
        "CDSCode\tCounty\tDistrict\tSchool\tCharter\tSOCType\tEdOpsName\n"
        f"{LEA}0000007\tLos Angeles\tDistrict\tHall\tN\tJuvenile Court Schools\t"
        "Juvenile Court School\n",
        encoding="utf-8",
    )
    result = run(
        tmp_path,
        [rec("1", START, "10", school="0000007"), rec("2", START, "10", school="0000007")],
        [prog("1", "181", START)],
        schools=schools,
    )
    row = result.schools.row(0, named=True)
    assert row["School Type"] == "Juvenile Court Schools"
    assert row["Total Enrollment"] == row["CALPADS Unduplicated Pupil Count (UPC)"] == 2
    assert row["Unduplicated FRPM Eligible Count"] == 1


# ------------------------------------------------------------------ R10.5
def test_r10_5_upc_columns_are_those_of_cdes_cupc_sheet() -> None:
    with (DATA / "cupc2324_schools.tsv").open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n")
    real = header.split("\t")
    # CDE's last column (Fall 1 certification status) is not knowable from extracts.
    assert tuple(real[: len(UPC_COLUMNS)]) == UPC_COLUMNS
    assert real[len(UPC_COLUMNS) :] == ["CALPADS Fall 1 Certification Status (Y/N)"]


def test_r10_5_charter_school_is_its_own_lea_row(tmp_path: Path) -> None:
    schools = tmp_path / "schools.csv"
    schools.write_text(
        "cds_code,county_name,district_name,school_name,charter,dass\n"
        f"{LEA}0000001,LA,D,Nonpublic,N,N\n{LEA}0000002,LA,D,Charter,Y,N\n"
        f"{LEA}0000003,LA,D,Plain,N,N\n",
        encoding="utf-8",
    )
    result = run(
        tmp_path,
        [rec(f"1{i}", START, "01", school=f"000000{i}") for i in "123"]
        + [rec("2", START, "01", school="0000003")],
        schools=schools,
    )
    leas = {r["Aggregate Level"] + r["School Code"]: r for r in result.leas.to_dicts()}
    assert leas["D0000000"]["Total Enrollment"] == 3  # nonpublic school and Plain, not the charter
    assert leas["S0000002"]["Total Enrollment"] == 1
    assert leas["C"]["Total Enrollment"] == leas["T"]["Total Enrollment"] == 4
    assert result.schools.height == 3
    # CDE's LEA-level sheet has the school-level sheet's columns: a district's row has
    # school code 0000000 and N/A where a column describes one school; a charter's row
    # keeps its own name.
    assert leas["D0000000"]["School Name"] == "N/A"
    assert leas["D0000000"]["District Name"] == "D"
    assert leas["D0000000"]["Charter School (Y/N)"] == "No"
    assert leas["S0000002"]["School Name"] == "Charter"
    assert leas["S0000002"]["Charter School (Y/N)"] == "Yes"
    assert (leas["C"]["County Name"], leas["C"]["District Code"]) == ("LA", "")


def test_r10_5_lea_level_columns_are_cdes_sheet_then_the_level() -> None:
    # CDE's LEA-level cupc sheet has the 27 columns (A to AA) of the school-level sheet;
    # upc_lea.txt has its first 26 (as upc.txt) and then the level of the row.
    assert LEA_COLUMNS[:-1] == UPC_COLUMNS
    assert LEA_COLUMNS[-1] == "Aggregate Level"


# ------------------------------------------------------------------ R10.3
def test_r10_3_kindergarten_age_filter_is_off_by_default_and_a_setting(tmp_path: Path) -> None:
    senr = [
        rec("1", START, "KN", student_birth_date=D(2019, 12, 2)),  # five on 2 December: counted
        rec("2", START, "KN", student_birth_date=D(2019, 12, 3)),  # five a day late: not
        rec("3", START, "TK", student_birth_date=D(2020, 5, 1)),  # TK, too young: not
        rec("4", START, "01", student_birth_date=D(2020, 5, 1)),  # not TK/KN: counted
    ]
    assert counted(run(tmp_path, senr)) == {"1", "2", "3", "4"}
    rules = tmp_path / "kg.toml"
    rules.write_text('base = "lcff"\n[kindergarten_age_cutoff]\nmonth = 12\nday = 2\n')
    result = run(tmp_path, senr, rules=rules)
    assert counted(result) == {"1", "4"}
    assert not any("birth" in c for c in result.students.columns)  # never written out


def test_r10_3_age_filter_refused_without_birth_dates(tmp_path: Path) -> None:
    rules = tmp_path / "kg.toml"
    rules.write_text('base = "lcff"\n[kindergarten_age_cutoff]\nmonth = 12\nday = 2\n')
    senr = pl.DataFrame(
        {"ssid": ["1"], "enrollment_start_date": [START], "grade_level_code": ["KN"]}
    )
    with pytest.raises(RefusedError, match="birth dates"):
        lcff({"senr": senr}, year="2024-25", rules=rules)


def test_r10_4_cdes_real_counts_obey_the_nesting_our_properties_assert() -> None:
    # The invariants of tests/test_lcff_properties.py hold on CDE's own 2023-24 file,
    # with juvenile court schools (UPC = total enrollment) the only exception.
    cupc = pl.read_csv(DATA / "cupc2324_schools.tsv", separator="\t", infer_schema=False)
    counts = list(UPC_COLUMNS[16:])
    cupc = cupc.with_columns(pl.col(counts).cast(pl.Int64))
    single = counts[1:7]
    undup, el, upc, total = (pl.col(counts[i]) for i in (7, 8, 9, 0))
    court = pl.col("Educational Option Type").is_in(load_lcff_rules().juvenile_court_types)
    checks = {
        "single <= undup": pl.all_horizontal(pl.col(c) <= undup for c in single),
        "undup <= sum": undup <= pl.sum_horizontal(single),
        "max <= upc <= total": (pl.max_horizontal(undup, el) <= upc) & (upc <= total),
        "upc <= undup + el": court | (upc <= undup + el),
        "court: upc = total": ~court | (upc == total),
    }
    broken = cupc.select((~c).sum().alias(name) for name, c in checks.items())
    assert broken.row(0) == (0,) * len(checks)
    # 49 juvenile court schools, all with UPC = total; at 25 of them that exceeds the sum.
    assert cupc.filter(court).height == 49
    assert cupc.filter(upc > undup + el).height == 25


def test_r10_4_tribal_foster_193_counts_only_from_its_first_year(tmp_path: Path) -> None:
    # Flash #186: SPRG 193 counts from 2020-21 (program_first_years). The same open
    # membership counts in 2020-21 but not in 2019-20 (Census Day 2 October 2019).
    senr = [rec("1", D(2019, 8, 20), "06"), rec("2", D(2019, 8, 20), "06")]
    sprg = [prog("1", "193", D(2019, 8, 1)), prog("2", "181", D(2019, 8, 1))]
    before = run(tmp_path, senr, sprg, year="2019-20")
    assert not flags(before, "1")["tribal_foster"]
    assert not flags(before, "1")["upc"]
    assert flags(before, "2")["frpm"]  # other codes are not affected
    senr = [rec("1", D(2020, 8, 20), "06")]
    after = run(tmp_path, senr, [prog("1", "193", D(2019, 8, 1))], year="2020-21")
    assert flags(after, "1")["tribal_foster"]
    assert flags(after, "1")["upc"]


def test_r10_4_program_first_year_is_a_setting(tmp_path: Path) -> None:
    rules = tmp_path / "literal.toml"
    rules.write_text(
        'base = "lcff"\nname = "lcff-193-2024"\n[program_first_years]\n"193" = "2024-25"\n'
    )
    senr = [rec("1", D(2023, 8, 20), "06")]
    result = run(tmp_path, senr, [prog("1", "193", D(2023, 8, 1))], year="2023-24", rules=rules)
    assert not flags(result, "1")["tribal_foster"]
    assert load_lcff_rules(rules).programs_not_yet_counted(2024) == []
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "lcff"\n[program_first_years]\n"193" = "2024"\n')
    with pytest.raises(ValueError, match="program_first_years"):
        load_lcff_rules(bad)
