"""API tests reuse the verification world (a centre, candidates, signed units)."""

from tests.verification.conftest import plan, signed_world, world  # noqa: F401 - fixtures
