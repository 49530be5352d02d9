"""SQL for the database guard "nobody verifies their own assessment" (migration 0002).

A verification decision is refused when its verifier assessed the sampled unit in any way: signed or
countersigned it (now or in an earlier round), mapped evidence in it, or is the registration's assessor.
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
    )
) OR EXISTS (
    SELECT 1 FROM assessment_unitsignoff s
    WHERE s.unit_assessment_id = NEW.unit_assessment_id
      AND (s.assessor_id = NEW.verifier_id OR s.countersigned_by_id = NEW.verifier_id)
)
"""

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION verification_no_own_assessment() RETURNS trigger AS $$
BEGIN
    IF {_CONDITION} THEN
        RAISE EXCEPTION '{OWN_ASSESSMENT}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER verification_decision_not_own BEFORE INSERT OR UPDATE OF verifier_id, unit_assessment_id
    ON verification_verificationdecision FOR EACH ROW EXECUTE FUNCTION verification_no_own_assessment();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS verification_decision_not_own ON verification_verificationdecision;
DROP FUNCTION IF EXISTS verification_no_own_assessment();
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER verification_decision_not_own_insert BEFORE INSERT ON verification_verificationdecision "
    f"WHEN {_CONDITION} BEGIN SELECT RAISE(ABORT, '{OWN_ASSESSMENT}'); END;",
    f"CREATE TRIGGER verification_decision_not_own_update BEFORE UPDATE OF verifier_id, unit_assessment_id "
    f"ON verification_verificationdecision "
    f"WHEN {_CONDITION} BEGIN SELECT RAISE(ABORT, '{OWN_ASSESSMENT}'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS verification_decision_not_own_insert;",
    "DROP TRIGGER IF EXISTS verification_decision_not_own_update;",
]
