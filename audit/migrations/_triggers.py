"""SQL for the append-only triggers (used by migration 0002 and by the test suite's flush)."""

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditentry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditentry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_immutable();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
    "CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete;",
]
