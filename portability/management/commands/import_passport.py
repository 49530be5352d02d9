from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Centre, Role, User
from portability.importing import passport_import


def _person(username, centre, role, what):
    user = User.objects.filter(username=username, memberships__centre=centre, memberships__role=role).first()
    if user is None:
        raise CommandError(f"There is no {what} '{username}' at centre {centre.number}.")
    return user


class Command(BaseCommand):
    help = (
        "Import a verified portfolio passport at a receiving centre: a new registration, the evidence, and "
        "the accepted decisions as prior learning for the receiving assessor to confirm."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--centre", required=True, help="Receiving centre number")
        parser.add_argument(
            "--candidate", required=True, help="Username of the candidate at the receiving centre"
        )
        parser.add_argument("--assessor", required=True, help="Username of the receiving assessor")
        parser.add_argument("--internal-verifier", required=True, help="Username of the receiving IV")
        parser.add_argument(
            "--admin", help="Centre admin recorded as importing it (default: the centre's first)"
        )
        parser.add_argument(
            "--confirm-entry-condition",
            action="append",
            default=[],
            metavar="KEY",
            dest="entry_conditions",
            help="An entry condition of the qualification that the centre confirms the candidate "
            "meets (4430-04: age_18, not_already_held); repeat for each",
        )

    def handle(self, *args, file, **options):
        centre = Centre.objects.filter(number=options["centre"]).first()
        if centre is None:
            raise CommandError(f"There is no centre {options['centre']}.")
        admin = (
            _person(options["admin"], centre, Role.CENTRE_ADMIN, "centre admin")
            if options["admin"]
            else User.objects.filter(memberships__centre=centre, memberships__role=Role.CENTRE_ADMIN)
            .order_by("pk")
            .first()
        )
        if admin is None:
            raise CommandError(f"Centre {centre.number} has no centre admin to record the import.")
        try:
            with open(file, "rb") as fh:
                record = passport_import(
                    source=fh,
                    centre=centre,
                    actor=admin,
                    candidate=_person(options["candidate"], centre, Role.CANDIDATE, "candidate"),
                    assessor=_person(options["assessor"], centre, Role.ASSESSOR, "assessor"),
                    internal_verifier=_person(
                        options["internal_verifier"], centre, Role.INTERNAL_VERIFIER, "internal verifier"
                    ),
                    entry_conditions_confirmed=options["entry_conditions"],
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"Imported from {record.source_centre_name} ({record.source_centre_number}) as "
            f"registration {record.registration.pk}: {record.units.count()} units of prior evidence "
            "waiting for the assessor."
        )
        for line in record.mismatches:
            self.stdout.write(f"Not imported: {line}")
