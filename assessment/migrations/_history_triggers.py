"""SQL for the append-only mapping decision history (migration 0004 and the test suite's flush)."""

MESSAGE = "mapping decisions are append-only"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION assessment_mappingdecision_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessment_mappingdecision_no_change BEFORE UPDATE OR DELETE ON assessment_mappingdecision
    FOR EACH ROW EXECUTE FUNCTION assessment_mappingdecision_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS assessment_mappingdecision_no_change ON assessment_mappingdecision;
DROP FUNCTION IF EXISTS assessment_mappingdecision_immutable();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER assessment_mappingdecision_no_update BEFORE UPDATE ON assessment_mappingdecision "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    "CREATE TRIGGER assessment_mappingdecision_no_delete BEFORE DELETE ON assessment_mappingdecision "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS assessment_mappingdecision_no_update;",
    "DROP TRIGGER IF EXISTS assessment_mappingdecision_no_delete;",
]
