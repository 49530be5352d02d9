"""SQL for the database guard "nobody verifies their own assessment", with transferred units (migration 0008).

As migration 0004's guard (see _own_assessment_history.py), and whoever confirmed a transferred unit (a unit
signed at a sending centre and brought in signed by a portfolio passport: the confirming assessor is its
assessor here) took part in its assessment too.
"""

from . import _own_assessment_history as history

_CONFIRMED = "        OR ua.countersigned_by_id = NEW.verifier_id\n"
assert _CONFIRMED in history._CONDITION
_CONDITION = history._CONDITION.replace(
    _CONFIRMED, _CONFIRMED + "        OR ua.transfer_confirmed_by_id = NEW.verifier_id\n"
)

PG_FORWARD = history.pg_function(_CONDITION)
SQLITE_FORWARD = history.sqlite_triggers(_CONDITION)
