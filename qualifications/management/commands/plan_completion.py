"""`python manage.py plan_completion QUAL [UNIT ...] [--json]`: the cheapest way to finish QUAL."""

import json

from django.core.management.base import BaseCommand

from qualifications.management.commands.check_rules import load_spec_and_units
from qualifications.planner import plan
from qualifications.rules import plan_text


class Command(BaseCommand):
    help = (
        "Plan the cheapest further units (fewest credits, then fewest guided learning hours) that complete a "
        "qualification, given the units achieved; says which achieved units to claim when a barred pair or a "
        "group maximum forces a choice. Exit status 0 whatever the answer; 2 for an unknown qualification or unit."
    )

    def add_arguments(self, parser):
        parser.add_argument("qualification", help="qualification code, e.g. 4430-04")
        parser.add_argument("units", nargs="*", help="units achieved, e.g. 401 303 or 4430-401")
        parser.add_argument(
            "--in-progress",
            nargs="+",
            default=[],
            action="extend",
            metavar="UNIT",
            help="units being worked on (kept in the plan)",
        )
        parser.add_argument(
            "--chosen",
            nargs="+",
            default=[],
            action="extend",
            metavar="UNIT",
            help="optional units chosen at registration (kept in the plan)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        spec, achieved, outside = load_spec_and_units(options["qualification"], options["units"])
        _, in_progress, outside_ip = load_spec_and_units(spec.code, options["in_progress"])
        _, chosen, outside_ch = load_spec_and_units(spec.code, options["chosen"])
        result = plan(
            spec,
            achieved + [u.ref for u in outside],
            in_progress=in_progress + [u.ref for u in outside_ip],
            chosen=chosen + [u.ref for u in outside_ch],
        )
        if options["json"]:
            data = result.to_dict()
            data["title"] = spec.title
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(plan_text(spec, result))
