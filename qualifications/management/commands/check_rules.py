"""`python manage.py check_rules QUAL UNIT [UNIT ...] [--json]`: does this set of units achieve QUAL?"""

import json

from django.core.management.base import BaseCommand, CommandError

from qualifications.models import Qualification
from qualifications.rules import evaluate, verdict_text
from qualifications.specs import UNKNOWN_QUALIFICATION, UNKNOWN_UNIT, qualification_spec, resolve_units


def load_spec_and_units(code, tokens):
    """Shared with plan_completion: the spec and the resolved units, or exit 2 with the reason."""
    try:
        spec = qualification_spec(code)
    except Qualification.DoesNotExist:
        raise CommandError(UNKNOWN_QUALIFICATION.format(code=code), returncode=2) from None
    own, outside, unknown = resolve_units(spec, tokens)
    if unknown:
        raise CommandError(
            "\n".join(UNKNOWN_UNIT.format(token=t, code=spec.code) for t in unknown), returncode=2
        )
    return spec, own, outside


class Command(BaseCommand):
    help = (
        "Check a set of units against a qualification's rules of combination. Units by their number in the "
        "qualification (401 or 4430-401) or, for units of other qualifications, their catalogue reference "
        "(4411-102). Exit status 0 whatever the verdict; 2 for an unknown qualification or unit."
    )

    def add_arguments(self, parser):
        parser.add_argument("qualification", help="qualification code, e.g. 4430-04")
        parser.add_argument("units", nargs="*", help="units claimed, e.g. 401 402 303 or 4411-102")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        spec, own, outside = load_spec_and_units(options["qualification"], options["units"])
        verdict = evaluate(spec, own, outside=outside)
        if options["json"]:
            data = verdict.to_dict()
            data["title"] = spec.title
            data["outside_unit_details"] = [{"ref": u.ref, "title": u.title} for u in verdict.outside_details]
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(verdict_text(spec, verdict))
