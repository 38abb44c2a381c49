"""Field layouts of the CALPADS extracts SENR, SINF, SPRG and SELA (docs/formats.md).

Each layout lists, in file order, the CALPADS field name, the canonical
snake_case column name used by library callers and Parquet files, and the kind
of value. Kinds decide the canonical type: ``date`` -> ``pl.Date`` parsed from
``CCYYMMDD``; everything else -> ``pl.String`` (codes keep their leading zeros).
``pii`` fields (names, birth data, addresses) are confidential: the readers leave
them out unless asked, so they never reach memory, logs or outputs by accident.

ODS extracts (record type ``SENR-R`` ...) carry two more fields at the end,
UploadDate and LastDateUpdated; older SENR files stop after the Seal of
Biliteracy indicator (33 fields). Missing trailing fields are null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["code", "date", "text", "pii"]


@dataclass(frozen=True)
class Field:
    """One field of an extract layout."""

    calpads: str
    column: str
    kind: FieldKind


@dataclass(frozen=True)
class Layout:
    """The ordered fields of one record type (without the ODS trailing fields)."""

    record_type: str
    fields: tuple[Field, ...]

    def field(self, column: str) -> Field:
        """The field behind canonical ``column``."""
        for f in self.fields:
            if f.column == column:
                return f
        raise KeyError(column)


def _layout(record_type: str, spec: str) -> Layout:
    fields = []
    for line in spec.strip().splitlines():
        calpads, column, kind = line.split()
        fields.append(Field(calpads, column, kind))  # type: ignore[arg-type]
    return Layout(record_type, tuple(fields))


#: ODS extract trailing fields (docs/formats.md, the two layouts).
ODS_TRAILING: tuple[Field, ...] = (
    Field("UploadDate", "upload_date", "date"),
    Field("LastDateUpdated", "last_date_updated", "date"),
)

SENR = _layout(
    "SENR",
    """
RecordTypeCode record_type_code code
TransactionTypeCode transaction_type_code code
LocalRecordID local_record_id code
ReportingLEA reporting_lea code
SchoolOfAttendance school_of_attendance code
SchoolOfAttendanceNPS school_of_attendance_nps code
AcademicYearID academic_year_id code
SSID ssid code
LocalStudentID local_student_id code
StudentLegalFirstName student_legal_first_name pii
StudentLegalMiddleName student_legal_middle_name pii
StudentLegalLastName student_legal_last_name pii
StudentLegalNameSuffix student_legal_name_suffix pii
StudentAliasFirstName student_alias_first_name pii
StudentAliasMiddleName student_alias_middle_name pii
StudentAliasLastName student_alias_last_name pii
StudentBirthDate student_birth_date pii
StudentGenderCode student_gender_code code
StudentBirthCity student_birth_city pii
StudentBirthStateProvinceCode student_birth_state_province_code code
StudentBirthCountryCode student_birth_country_code code
EnrollmentSchoolStartDate enrollment_start_date date
EnrollmentStatusCode enrollment_status_code code
GradeLevelCode grade_level_code code
EnrollmentSchoolExitDate enrollment_exit_date date
StudentExitReasonCode student_exit_reason_code code
StudentSchoolCompletionStatus student_school_completion_status code
ExpectedReceiverSchoolofAttendance expected_receiver_school_of_attendance code
StudentMetAllUCCSURequirementsIndicator student_met_all_uc_csu_requirements_indicator code
StudentSchoolTransferCode student_school_transfer_code code
DistrictofGeographicResidence district_of_geographic_residence code
StudentGoldenStateSealMeritDiplomaIndicator student_golden_state_seal_merit_diploma_indicator code
StudentSealofBiliteracyIndicator student_seal_of_biliteracy_indicator code
PostsecondaryTransitionStatusIndicator postsecondary_transition_status_indicator code
GraduationExemptionIndicator graduation_exemption_indicator code
FoodHandlerCertificationProgramCompletionIndicator food_handler_certification_program_completion_indicator code
PreApprenticeshipCertificationProgramCompletionIndicator pre_apprenticeship_certification_program_completion_indicator code
PreApprenticeshipProgramNonCertifiedCompletionIndicator pre_apprenticeship_program_non_certified_completion_indicator code
StateFederalJobProgramCompletionIndicator state_federal_job_program_completion_indicator code
""",
)

SINF = _layout(
    "SINF",
    """
RecordTypeCode record_type_code code
TransactionTypeCode transaction_type_code code
LocalRecordID local_record_id code
EffectiveStartDate effective_start_date date
EffectiveEndDate effective_end_date date
ReportingLEA reporting_lea code
SchoolOfAttendance school_of_attendance code
AcademicYearID academic_year_id code
SSID ssid code
LocalStudentID local_student_id code
StudentLegalFirstName student_legal_first_name pii
StudentLegalMiddleName student_legal_middle_name pii
StudentLegalLastName student_legal_last_name pii
StudentLegalNameSuffix student_legal_name_suffix pii
StudentAliasFirstName student_alias_first_name pii
StudentAliasMiddleName student_alias_middle_name pii
StudentAliasLastName student_alias_last_name pii
StudentBirthDate student_birth_date pii
StudentGenderCode student_gender_code code
StudentBirthCity student_birth_city pii
StudentBirthStateProvinceCode student_birth_state_province_code code
StudentBirthCountryCode student_birth_country_code code
StudentHispanicEthnicityIndicator student_hispanic_ethnicity_indicator code
StudentEthnicityMissingIndicator student_ethnicity_missing_indicator code
StudentRace1Code student_race_1_code code
StudentRace2Code student_race_2_code code
StudentRace3Code student_race_3_code code
StudentRace4Code student_race_4_code code
StudentRace5Code student_race_5_code code
StudentRaceMissingIndicator student_race_missing_indicator code
AddressLine1 address_line_1 pii
AddressLine2 address_line_2 pii
AddressCityName address_city_name pii
AddressStateProvinceCode address_state_province_code code
AddressZipCode address_zip_code pii
StudentInitialUSSchoolEnrollmentDateK-12 student_initial_us_school_enrollment_date_k12 date
EnrolledinUSSchoollessthanThreeCumulativeYearsIndicator enrolled_in_us_school_less_than_three_cumulative_years_indicator code
ParentGuardianHighestEducationLevelCode parent_guardian_highest_education_level_code code
Guardian1FirstName guardian_1_first_name pii
Guardian1LastName guardian_1_last_name pii
Guardian2FirstName guardian_2_first_name pii
Guardian2LastName guardian_2_last_name pii
""",
)

SPRG = _layout(
    "SPRG",
    """
RecordTypeCode record_type_code code
TransactionTypeCode transaction_type_code code
LocalRecordID local_record_id code
ReportingLEA reporting_lea code
SchoolOfAttendance school_of_attendance code
AcademicYearID academic_year_id code
SSID ssid code
LocalStudentID local_student_id code
StudentLegalFirstName student_legal_first_name pii
StudentLegalLastName student_legal_last_name pii
StudentBirthDate student_birth_date pii
StudentGenderCode student_gender_code code
EducationProgramCode education_program_code code
EducationProgramMembershipCode education_program_membership_code code
EducationProgramMembershipStartDate education_program_membership_start_date date
EducationProgramMembershipEndDate education_program_membership_end_date date
EducationServiceAcademicYear education_service_academic_year code
EducationServiceCode education_service_code code
CaliforniaPartnershipAcademyID california_partnership_academy_id code
MigrantStudentID migrant_student_id code
PrimaryDisabilityCode primary_disability_code code
DistrictofSpecialEducationAccountability district_of_special_education_accountability code
HomelessDwellingTypeCode homeless_dwelling_type_code code
UnaccompaniedYouthIndicator unaccompanied_youth_indicator code
RunawayYouthIndicator runaway_youth_indicator code
Filler filler code
""",
)

SELA = _layout(
    "SELA",
    """
RecordTypeCode record_type_code code
TransactionTypeCode transaction_type_code code
LocalRecordID local_record_id code
ReportingLEA reporting_lea code
SchoolOfAttendance school_of_attendance code
AcademicYearID academic_year_id code
SSID ssid code
StudentLegalFirstName student_legal_first_name pii
StudentLegalLastName student_legal_last_name pii
StudentBirthDate student_birth_date pii
StudentGenderCode student_gender_code code
LocalStudentID local_student_id code
EnglishAcquisitionStatusCode english_acquisition_status_code code
EnglishAcquisitionStatusStartDate english_acquisition_status_start_date date
PrimaryLanguageCode primary_language_code code
""",
)

#: Layouts by record type (the ``-R`` ODS suffix removed).
LAYOUTS: dict[str, Layout] = {lay.record_type: lay for lay in (SENR, SINF, SPRG, SELA)}

#: Fewest fields a record of each type may have (before any ODS trailing fields):
#: older SENR files stop after the Seal of Biliteracy indicator (field 33); older
#: SINF files may lack the four guardian names; SPRG may lack its filler.
MIN_FIELDS: dict[str, int] = {"SENR": 33, "SINF": 38, "SPRG": 25, "SELA": 15}


__all__ = [
    "LAYOUTS",
    "MIN_FIELDS",
    "ODS_TRAILING",
    "SELA",
    "SENR",
    "SINF",
    "SPRG",
    "Field",
    "FieldKind",
    "Layout",
]
