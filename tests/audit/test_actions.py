"""Audit action names are defined once, in audit.actions.Action: the services write its members, never bare
strings, and the stored strings stay what they were (rows already written and their hashes keep them)."""

import ast

import pytest

from assessment.models import Registration
from audit.actions import Action, catalogue_admin_action
from audit.services import refusals_audited
from tests.test_layers import ORDER, ROOT, find_modules
from verification.models import VerificationDecision


def _literal_actions(modules, root=ROOT):
    """file:line of every call in app code that passes `action=` a string written out (or an f-string)."""
    found = []
    for module, path in modules.items():
        if ".migrations." in module:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
                continue  # argparse's action="store_true"
            values = [k.value for k in node.keywords if k.arg == "action"]
            if getattr(node.func, "id", getattr(node.func, "attr", "")) == "refusals_audited" and node.args:
                values.append(node.args[0])
            for value in values:
                if isinstance(value, ast.JoinedStr) or (
                    isinstance(value, ast.Constant) and isinstance(value.value, str)
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno} action={ast.unparse(value)}")
    return found


def test_the_services_name_their_actions_through_the_enum():
    modules = find_modules(ROOT, ORDER)
    assert len(modules) > 100
    literal = _literal_actions(modules)
    assert not literal, "write audit.actions.Action members, not strings:\n" + "\n".join(literal)


def test_the_scan_sees_a_bare_string(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "services.py").write_text(
        'audit_record(actor=None, action="thing_done")\nparser.add_argument("--x", action="store_true")\n'
        'audit_record(actor=None, action=f"thing_{x}")\naudit_record(actor=None, action=Action.LOGIN)\n'
    )
    modules = {"app.services": tmp_path / "app" / "services.py"}
    assert _literal_actions(modules, tmp_path) == [
        "app/services.py:1 action='thing_done'",
        "app/services.py:3 action=f'thing_{x}'",
    ]


def test_each_action_has_one_name_and_keeps_its_stored_string():
    assert len(Action.__members__) == len(Action)  # no two members share a value (an alias would hide one)
    assert (
        Action.LOGIN,
        Action.EVIDENCE_LOCKED,
        Action.PRINTING_BATCH_REQUESTED,
        Action.VERIFICATION_AGREED,
        Action.REGISTRATION_WITHDRAW_REFUSED,
    ) == (
        "login",
        "evidence_locked",
        "printing.batch_requested",
        "verification_agreed",
        "registration_withdraw_refused",
    )
    assert catalogue_admin_action("unit", change=True) == "catalogue_unit_changed"


def test_the_actions_built_from_a_state_are_members():
    """registration_<status>, verification_<outcome> and registration_<field>_changed are looked up by value."""
    for status in (Registration.Status.WITHDRAWN, Registration.Status.CERTIFIED):
        assert Action(f"registration_{status}")
    for outcome in VerificationDecision.Outcome.values:
        assert Action(f"verification_{outcome}")
    for field in ("assessor", "internal_verifier"):
        assert Action(f"registration_{field}_changed")


def test_a_refusal_names_the_refused_action():
    with pytest.raises(ValueError, match="_REFUSED"):
        refusals_audited(Action.LOGIN, "user")
    assert refusals_audited(Action.REGISTRATION_WITHDRAW_REFUSED, "registration")
