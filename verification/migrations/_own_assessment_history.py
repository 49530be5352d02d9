"""SQL for the database guard "nobody verifies their own assessment", reading the whole history (migration 0004).

A verification decision is refused when its verifier took part in the sampled unit's assessment in any way:
the registration's assessor; whoever signed or countersigned the unit, now or in any earlier round; whoever
holds a current mapping in it; anybody in its mapping decision history (every decision ever made, even one
overwritten or removed since); the assessor of any assessment record referencing one of its criteria.
Migration 0002's triggers (see _triggers.py) read only the current rows; these replace them.
"""

OWN_ASSESSMENT = "nobody verifies their own assessment"

_CONDITION = """
EXISTS (
    SELECT 1 FROM assessment_unitassessment ua
    WHERE ua.id = NEW.unit_assessment_id AND (
        ua.signed_by_id = NEW.verifier_id
        OR ua.countersigned_by_id = NEW.verifier_id
        OR EXISTS (SELECT 1 FROM assessment_registration r
                   WHERE r.id = ua.registration_id AND r.assessor_id = NEW.verifier_id)
        OR EXISTS (SELECT 1 FROM assessment_evidencemapping m
                   WHERE m.registration_id = ua.registration_id AND m.unit_id = ua.unit_id
                     AND m.assessed_by_id = NEW.verifier_id)
        OR EXISTS (SELECT 1 FROM assessment_mappingdecision h
                   WHERE h.registration_id = ua.registration_id AND h.unit_id = ua.unit_id
                     AND h.decided_by_id = NEW.verifier_id)
        OR EXISTS (SELECT 1 FROM assessment_assessmentrecord ar
                   JOIN assessment_assessmentrecord_criteria arc ON arc.assessmentrecord_id = ar.id
                   JOIN qualifications_assessmentcriterion c ON c.id = arc.assessmentcriterion_id
                   WHERE ar.registration_id = ua.registration_id AND c.unit_id = ua.unit_id
                     AND ar.assessor_id = NEW.verifier_id)
    )
) OR EXISTS (
    SELECT 1 FROM assessment_unitsignoff s
    WHERE s.unit_assessment_id = NEW.unit_assessment_id
      AND (s.assessor_id = NEW.verifier_id OR s.countersigned_by_id = NEW.verifier_id)
)
"""

def pg_function(condition: str) -> str:
    """PostgreSQL: the trigger of migration 0002 stays; its function is replaced."""
    return f"""
CREATE OR REPLACE FUNCTION verification_no_own_assessment() RETURNS trigger AS $$
BEGIN
    IF {condition} THEN
        RAISE EXCEPTION '{OWN_ASSESSMENT}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def sqlite_triggers(condition: str) -> list[str]:
    """SQLite: the insert and update triggers, dropped and made again on `condition`."""
    return [
        "DROP TRIGGER IF EXISTS verification_decision_not_own_insert;",
        "DROP TRIGGER IF EXISTS verification_decision_not_own_update;",
        f"CREATE TRIGGER verification_decision_not_own_insert BEFORE INSERT ON verification_verificationdecision "
        f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{OWN_ASSESSMENT}'); END;",
        f"CREATE TRIGGER verification_decision_not_own_update BEFORE UPDATE OF verifier_id, unit_assessment_id "
        f"ON verification_verificationdecision "
        f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{OWN_ASSESSMENT}'); END;",
    ]


PG_FORWARD = pg_function(_CONDITION)
SQLITE_FORWARD = sqlite_triggers(_CONDITION)
