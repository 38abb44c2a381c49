"""Every finding id the package raises, with what it means and what to fix.

One entry per id: its severity, the rule it enforces (a rule id of docs/rules.md,
a CALPADS rule, or the reader's format, docs/formats.md), what it means, and what
to fix. The run summary explains its findings from here, docs/findings.md is
generated from here (docs/build_findings.py), and a test checks that the ids
raised in the code and the ids listed here are the same set.

Examples:
    >>> CATALOGUE["SENR0027"].severity
    'fatal'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["fatal", "warning"]


@dataclass(frozen=True)
class FindingKind:
    """What one finding id means.

    Attributes:
        id: the finding id (``rule`` column of ``findings.csv``).
        severity: ``fatal`` (the record is not used, or CALPADS rejects it) or
            ``warning``.
        enforces: the rule it checks (rule id, CALPADS rule, docs/formats.md).
        meaning: what was found, in a line.
        fix: what the analyst does about it.
    """

    id: str
    severity: Severity
    enforces: str
    meaning: str
    fix: str


# One entry a few lines, aligned by hand: the formatter would spread each over seven.
# fmt: off
_KINDS: tuple[FindingKind, ...] = (
    # Reading (docs/formats.md)
    FindingKind("EXTR0001", "fatal", "docs/formats.md record types",
                "a line whose first field is not SENR, SINF, SPRG or SELA (or their -R forms)",
                "restore the record type or remove the line; the line is not used"),
    FindingKind("EXTR0002", "warning", "docs/formats.md", "a blank line", "nothing: it is ignored"),
    FindingKind("EXTR0003", "warning", "docs/formats.md", "an empty input file",
                "check the download; nothing was read from the file"),
    FindingKind("EXTR0004", "fatal", "docs/formats.md layouts",
                "a line with a number of fields no layout of its record type has",
                "re-export the record in the CALPADS submission or ODS layout"),
    FindingKind("EXTR0005", "warning", "docs/formats.md",
                "a file in an input folder that is not an extract (a side table, a "
                "spreadsheet, a note); skipped",
                "pass side tables with --schools, --foster or --direct-cert"),
    FindingKind("EXTR0006", "fatal", "docs/formats.md",
                "a line holding a control character (a NUL or another control byte); the "
                "line is not used, the rest of the file is",
                "re-export the record; a damaged byte spoils its line"),
    FindingKind("EXTR0007", "warning", "docs/formats.md",
                "a link in an input folder that leads nowhere (broken, or a loop); skipped",
                "remove the link or point it at the extract"),
    FindingKind("FRMT0002", "fatal", "CALPADS FRMT0002",
                "a date that is not a calendar date in CCYYMMDD form; the record is not used",
                "correct the date in the SIS and re-export"),
    FindingKind("GERR0001", "fatal", "CALPADS GERR0001",
                "a required field is missing (SSID, School of Attendance, or the enrollment "
                "start date, without which the record is not used)",
                "fill in the field in the SIS and re-export"),
    FindingKind("GERR0002", "fatal", "CALPADS GERR0002",
                "a status, grade or exit code that is not in the CALPADS code set",
                "correct the code"),
    # CALPADS enrollment rules
    FindingKind("SENR0018", "fatal", "CALPADS SENR0018",
                "an exit date before the start date (N470: not the start date or the day "
                "before)", "correct the dates"),
    FindingKind("SENR0022", "fatal", "CALPADS SENR0022",
                "a completion status on a record that does not exit with E230",
                "post the completion with E230, or remove it"),
    FindingKind("SENR0027", "fatal", "CALPADS SENR0027; R3.3",
                "two primary enrollments of a student overlap in one LEA (the message names "
                "the earlier record's line)",
                "exit the earlier enrollment before the later one starts"),
    FindingKind("SENR0028", "warning", "CALPADS SENR0028; R3.3",
                "primary enrollments of a student overlap across LEAs (a concurrent "
                "enrollment anomaly; the message names the earlier record's line)",
                "agree the exit date with the other LEA"),
    FindingKind("SENR0175", "fatal", "CALPADS SENR0175",
                "completion status 100 without exit code E230", "post the diploma with E230"),
    FindingKind("SENR0302", "fatal", "CALPADS SENR0302",
                "a secondary enrollment (status 20) exiting with a code other than E170",
                "exit secondary enrollments with E170"),
    FindingKind("SENR0315", "fatal", "CALPADS SENR0315",
                "Golden State Seal Merit Diploma Y without a regular diploma (100)",
                "correct the indicator or the completion"),
    FindingKind("SENR0316", "fatal", "CALPADS SENR0316",
                "Seal of Biliteracy Y without a regular diploma (100)",
                "correct the indicator or the completion"),
    FindingKind("SENR0317", "warning", "CALPADS SENR0317 (CERT112)",
                "an enrollment of a past academic year still open (or exited late) after the "
                "deadline of the next summer; an open record keeps a student Still Enrolled",
                "exit the record with the right code and date"),
    FindingKind("SENR0522", "fatal", "CALPADS SENR0522",
                "a non-ADA enrollment (status 50) exiting with a code it may not use",
                "exit with E170, N470 or E150"),
    FindingKind("SENR0523", "fatal", "CALPADS SENR0523",
                "exit code E170 on a primary or short-term enrollment",
                "use E170 only for status 20 or 50"),
    FindingKind("SENR0586", "fatal", "CALPADS SENR0586",
                "an enrollment exiting after the student's regular-diploma graduation",
                "fix the graduation record or this record"),
    FindingKind("SENR0587", "fatal", "CALPADS SENR0587",
                "an open enrollment after the student's regular-diploma graduation",
                "exit or remove the record"),
    # Rule decisions (docs/rules.md)
    FindingKind("R1.4", "warning", "R1.4",
                "a grade US (ungraded secondary) record, which never counts toward a cohort",
                "report the student's grade level"),
    FindingKind("R1.5", "warning", "R1.5",
                "an Academic Year ID that does not match the start date's academic year "
                "(the start date decides)", "correct the Academic Year ID"),
    FindingKind("R3.4.1", "fatal", "R3.4.1",
                "a record CALPADS would reject (completion status or exit code not in the "
                "tables, exit code without date or date without code); not used",
                "correct the exit code, completion status or exit date"),
    # This project's checks
    FindingKind("ACGR0001", "warning", "R3 (duplicate records)",
                "a duplicate record: same student, school and start date as an earlier one "
                "(earlier: by file name, then line; the first is not reported)",
                "delete the duplicate in CALPADS"),
    FindingKind("ACGR0002", "warning", "R5.1, R5.2",
                "a student with enrollments but no SINF record (race Not Reported; gender "
                "from SENR)", "post the student's SINF record"),
    FindingKind("ACGR0003", "warning", "R5 (groups.inputs)",
                "an input was not given or held no record: the reporting categories it "
                "measures are left out of acgr.txt, or counted without it",
                "pass the missing record type or side file"),
    FindingKind("ACGR0004", "warning", "R4.3",
                "charter or DASS flags assumed No (no schools file, no such column, or a "
                "school not in the file)", "pass a schools file with charter and dass columns"),
    FindingKind("ACGR0005", "warning", "R2.1-R2.4",
                "the SENR dates begin after the class's first year or end early in its last "
                "year: the extract may not be the class's",
                "use the extract that covers the class's four years and its summer"),
    FindingKind("ACGR0006", "warning", "R2.3",
                "the extraction date is before the summer cutoff: completions and exits "
                "dated between them cannot be in the data",
                "use an extract pulled on or after the summer cutoff, or read the summer "
                "graduates as not yet posted"),
    FindingKind("ACGR0007", "warning", "R9.2",
                "the fifth-year extraction date is before the fifth-year cutoff: fifth-year "
                "graduations dated between the two are not in the data",
                "use an extract taken on or after the fifth-year cutoff (15 August of Y+1)"),
    FindingKind("ACGR0008", "warning", "R9.2",
                "the SENR records read end before the fifth-year cutoff: later fifth-year "
                "graduations may be missing", "use the extract that covers the whole fifth year"),
    FindingKind("ACGR0101", "warning", "R3.4 lost transfer",
                "a transfer exit with no later enrollment counts as Dropout",
                "find the student's later enrollment, or confirm the dropout"),
    FindingKind("ACGR0102", "warning", "R3.3 still enrolled",
                "an enrollment open (or exited after the summer cutoff) makes the student "
                "Still Enrolled", "post the exit or graduation record if one is missing"),
    FindingKind("ACGR0103", "warning", "R3.4 removal",
                "an exit that removes the student from the cohort needs documentation",
                "keep the documentation, or use a dropout code"),
    FindingKind("ACGR0104", "warning", "R3.3 final-record tie",
                "a tie for the final record: qualifying records share the latest start and "
                "exit dates, and the lowest school code was taken",
                "correct the dates so one record is the last"),
    FindingKind("ACGR0105", "warning", "R3.3 concurrent enrollment",
                "a concurrent enrollment: a qualifying record starts before an earlier one "
                "of the student ends", "exit the earlier enrollment before the later one starts"),
    # CALPADS Differentiated Assistance certification table (R11.3)
    FindingKind("ACGR0201", "fatal", "R11.3", "a certification row without an LEA code; "
                "not used", "fill in the LEA code"),
    FindingKind("ACGR0202", "fatal", "R11.3", "a certification row whose academic_year is "
                "not like 2024-25 or 2024-2025; not used", "correct the academic year"),
    FindingKind("ACGR0203", "fatal", "R11.3", "a certification row naming no known "
                "submission (Fall 1, Fall 2, EOY 1-4); not used", "correct the submission"),
    FindingKind("ACGR0204", "fatal", "R11.3", "a deadline or certified_on that is not a "
                "YYYY-MM-DD date; the row is not used", "correct the date"),
    FindingKind("ACGR0205", "warning", "R11.1", "an LEA kind that is not one the rule set "
                "knows (district, coe, charter); the kind is told from the LEA code",
                "correct the lea_type value"),
    FindingKind("ACGR0206", "warning", "R11.3", "two rows for the same LEA, year and "
                "submission; the earliest certification is used", "remove the duplicate"),
    FindingKind("ACGR0207", "warning", "R11.2", "a row of a year before the first year "
                "with a DA criterion (2023-24); not used", "nothing, or remove the row"),
    FindingKind("ACGR0208", "warning", "R11.2", "a submission the year's criterion needs "
                "has no row for the LEA; the year is judged on the rows given",
                "add the submission's row (empty certified_on when never certified)"),
    FindingKind("ACGR0209", "warning", "R11.2", "a certified submission with no deadline "
                "in the table or the rule set; counted as on time",
                "fill in the deadline column"),
    FindingKind("ACGR0210", "warning", "R11.3", "a year and submission of the table whose "
                "zero-fatal-error target the rule set leaves blank (not published or not "
                "found; the reason is in the message); none is assumed",
                "add the target CDE publishes to a rules file (--rules), if one is published"),
    # LCFF findings that move the count (R10.2, R10.4)
    FindingKind("ACGR0301", "warning", "R10.4 FRPM", "FRPM record ended before the year: an "
                "SPRG 181/182 membership ended before 1 July, so a Census Day student is "
                "not counted as FRPM", "post the year's FRPM membership if the student "
                "qualifies, or confirm the end date"),
    FindingKind("ACGR0302", "warning", "R10.4 EL", "ELAS status TBD on Census Day: the "
                "student is not counted as EL", "complete the language assessment and "
                "post the ELAS status (EL, RFEP, IFEP or EO)"),
    FindingKind("ACGR0303", "warning", "R10.2", "a second primary (status 10) enrollment "
                "open on Census Day; the student counts at the school R10.2's tie order "
                "chose, not at this record's", "exit the enrollment that ended, or make "
                "one of them secondary or short-term"),
    FindingKind("ACGR0304", "warning", "R10.4 foster", "a foster-match row overlapping the year "
                "for a student not enrolled on Census Day; it counts nowhere",
                "check the SSID of the match, or the student's enrollment"),
)
# fmt: on

#: Finding id -> :class:`FindingKind`.
CATALOGUE: dict[str, FindingKind] = {kind.id: kind for kind in _KINDS}


def explain_rule(rule: str) -> str:
    """What finding id ``rule`` means and what to fix, in one line (empty when unknown).

    Examples:
        >>> explain_rule("EXTR0002")
        'a blank line; fix: nothing: it is ignored'
    """
    kind = CATALOGUE.get(rule)
    return f"{kind.meaning}; fix: {kind.fix}" if kind else ""


__all__ = [
    "CATALOGUE",
    "FindingKind",
    "Severity",
    "explain_rule",
]
