"""Create a first centre and its first centre admin on a fresh install, and invite the admin."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role
from accounts.people import services as people_services
from accounts.services import centre_create

ACTOR = "manage.py create_centre"


class Command(BaseCommand):
    help = (
        "Create a centre and its first centre admin, who is emailed a link to set a password (also printed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="The awarding body's centre number")
        parser.add_argument("name", help="The centre's name")
        parser.add_argument("--admin-email", required=True, help="The first centre admin's email address")
        parser.add_argument("--admin-first-name", default="", help="Their first name")
        parser.add_argument("--admin-last-name", default="", help="Their last name")
        parser.add_argument(
            "--admin-username", default="", help="Their username (default: the email's local part)"
        )

    def handle(
        self, *args, number, name, admin_email, admin_first_name, admin_last_name, admin_username, **options
    ):
        username = admin_username or people_services.username_suggest(admin_email.split("@")[0], "")
        try:
            with transaction.atomic():
                centre = centre_create(actor=ACTOR, name=name, number=number)
                admin = people_services.person_create(
                    actor=ACTOR,
                    centre=centre,
                    first_name=admin_first_name,
                    last_name=admin_last_name,
                    email=admin_email,
                    username=username,
                    roles=[Role.CENTRE_ADMIN],
                    check_admin=False,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        invitation = admin.invitations.get(accepted_at__isnull=True, revoked_at__isnull=True)
        self.stdout.write(f"Created centre {centre} and its centre admin {admin.username} <{admin.email}>.")
        self.stdout.write(
            f"Invitation emailed; the link to set a password is:\n{people_services.invitation_link(invitation)}"
        )
