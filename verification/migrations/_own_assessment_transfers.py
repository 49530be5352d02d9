"""SQL for the database guard "nobody verifies their own assessment", with transferred units (migration 0008).

As migration 0004's guard (see _own_assessment_history.py), and whoever confirmed a transferred unit (a unit
signed at a sending centre and brought in signed by a portfolio passport: the confirming assessor is its
assessor here) took part in its assessment too.
"""

OWN_ASSESSMENT = "nobody verifies their own assessment"

_CONDITION = """
EXISTS (
    SELECT 1 FROM assessment_unitassessment ua
    WHERE ua.id = NEW.unit_assessment_id AND (
        ua.signed_by_id = NEW.verifier_id
        OR ua.countersigned_by_id = NEW.verifier_id
        OR ua.transfer_confirmed_by_id = NEW.verifier_id
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

# PostgreSQL: the trigger of migration 0002 stays; its function is replaced.
PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION verification_no_own_assessment() RETURNS trigger AS $$
BEGIN
    IF {_CONDITION} THEN
        RAISE EXCEPTION '{OWN_ASSESSMENT}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS verification_decision_not_own_insert;",
    "DROP TRIGGER IF EXISTS verification_decision_not_own_update;",
    f"CREATE TRIGGER verification_decision_not_own_insert BEFORE INSERT ON verification_verificationdecision "
    f"WHEN {_CONDITION} BEGIN SELECT RAISE(ABORT, '{OWN_ASSESSMENT}'); END;",
    f"CREATE TRIGGER verification_decision_not_own_update BEFORE UPDATE OF verifier_id, unit_assessment_id "
    f"ON verification_verificationdecision "
    f"WHEN {_CONDITION} BEGIN SELECT RAISE(ABORT, '{OWN_ASSESSMENT}'); END;",
]
