"""Catalogue validation: plain functions over the catalogue in its export shape (no ORM here).

The same checks serve every way data enters the catalogue: `load_catalogue` and `validate_catalogue`
validate the database through its export (`selectors.catalogue_export()`), `import_catalogue` validates
the file before writing and the database after, and the admin validates a correction before it is kept.

Errors refuse the data. Warnings mark incomplete data (a rule whose number the source lost, units
without credits where a credit rule needs them, rules of combination not stated): such a qualification
loads and can be browsed, but can never be certified until someone completes it.

One module per job; this package re-exports their public names (`from qualifications.validation import ...`):
- problems: severities, problem codes (tests import them), `Problem`, and the checker that reads a record
  against its schema
- schema: each record's fields, the vocabularies, the rule kinds' parameters, `normalise_catalogue`
- checks: the meaning checks (`check_catalogue`, `validate_catalogue_data`)
- wording: the rules of combination in plain words (`rule_in_words`)
- fixtures: catalogue fixture files, checked one by one and as a set, and their load order
"""

from .checks import check_catalogue, validate_catalogue_data
from .fixtures import (
    FIXTURE_CONFLICT,
    FIXTURE_MODELS,
    FIXTURE_UNKNOWN_REFERENCE,
    PREFERRED_FIXTURE_ORDER,
    FixtureFile,
    check_fixture_objects,
    check_fixture_set,
    fixture_load_order,
)
from .problems import (
    BAD_QUANTITY,
    BAD_SHAPE,
    BAD_TYPE,
    CONFLICTING_UNIT,
    CRITERION_NUMBERING,
    DUPLICATE_CRITERION,
    DUPLICATE_ENTRY_CONDITION,
    DUPLICATE_EVIDENCE_REQUIREMENT,
    DUPLICATE_GROUP,
    DUPLICATE_GUIDE_ROW,
    DUPLICATE_OUTCOME,
    DUPLICATE_QUALIFICATION,
    DUPLICATE_RANGE_ITEM,
    DUPLICATE_RULE,
    DUPLICATE_UNIT,
    DUPLICATE_UNIT_NUMBER,
    ERROR,
    EVIDENCE_UNKNOWN_CRITERION,
    MALFORMED_PARAMS,
    MANDATORY_IN_GROUP,
    MANDATORY_NOT_IN_RULE,
    MANDATORY_STATUS_MISMATCH,
    MANDATORY_UNIT_MISSING,
    MISSING_CREDITS,
    MISSING_FIELD,
    MISSING_LEVEL,
    NEGATIVE_NUMBER,
    NO_RULES,
    NO_UNITS,
    REQUIRED,
    RULE_INCOMPLETE,
    RULE_UNIT_OUTSIDE,
    RULE_UNKNOWN_GROUP,
    RULES_NOT_STATED,
    UNKNOWN_GROUP,
    UNKNOWN_KIND,
    UNKNOWN_LEVEL,
    UNKNOWN_OUTCOME,
    UNKNOWN_PARENT,
    UNKNOWN_RULE_KIND,
    UNKNOWN_STATUS,
    WARNING,
    Problem,
    errors,
    warnings,
)
from .schema import (
    CREDIT_RULE_KINDS,
    CRITERION_FIELDS,
    ENTRY_CONDITION_FIELDS,
    EVIDENCE_FIELDS,
    GROUP_FIELDS,
    GUIDE_FIELDS,
    KINDS,
    LEVELS,
    MEMBERSHIP_FIELDS,
    OUTCOME_FIELDS,
    QUALIFICATION_FIELDS,
    RANGE_FIELDS,
    REQUIREMENT_KINDS,
    RULE_FIELDS,
    RULE_PARAMS,
    STATUSES,
    UNIT_FIELDS,
    normalise_catalogue,
    outcome_kind_from_title,
)
from .wording import rule_in_words
