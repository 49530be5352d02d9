"""SQL for the triggers that keep signatures as signed (migration 0005 and the test suite's flush)."""

MESSAGE = "signatures cannot be changed or deleted"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_signature_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_signature_no_change BEFORE UPDATE OR DELETE ON audit_signature
    FOR EACH ROW EXECUTE FUNCTION audit_signature_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_signature_no_change ON audit_signature;
DROP FUNCTION IF EXISTS audit_signature_immutable();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER audit_signature_no_update BEFORE UPDATE ON audit_signature "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    "CREATE TRIGGER audit_signature_no_delete BEFORE DELETE ON audit_signature "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_signature_no_update;",
    "DROP TRIGGER IF EXISTS audit_signature_no_delete;",
]
