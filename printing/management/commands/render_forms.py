"""Render printable forms to PDF files.

    manage.py render_forms recording-form --qualification 4430-04 --unit 401 --output-dir out/
    manage.py render_forms recording-form --qualification 4430-04 --output-dir out/   (every unit)
    manage.py render_forms unit-summary --registration 12 --output-dir out/          (completed)
    manage.py render_forms portfolio --qualification 4430-04 --centre DEMO01 --output-dir out/
                                                      (completed, every active registration)

Without --registration (or --centre) the forms are blank; with them they are completed from the portfolio.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Centre
from assessment.models import Registration
from assessment.selectors import units_of_registrations
from printing import registry, selectors
from qualifications.models import Qualification


class Command(BaseCommand):
    help = "Render printable forms (blank or completed) to PDF files in --output-dir."

    def add_arguments(self, parser):
        parser.add_argument("form", choices=sorted(registry.FORMS))
        parser.add_argument("--qualification", help="qualification code, e.g. 4430-04")
        parser.add_argument("--unit", help="unit number inside the qualification, e.g. 401")
        parser.add_argument("--registration", type=int, help="registration id: the completed form")
        parser.add_argument("--centre", help="centre number: completed forms of its active registrations")
        parser.add_argument("--output-dir", required=True)

    def handle(self, *args, form, qualification, unit, registration, centre, output_dir, **options):
        print_form = registry.get_form(form)
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        if registration is not None or centre is not None:
            registrations = self._registrations(registration, centre, qualification)
            units = units_of_registrations(registrations)
            for reg in registrations:
                chosen = units[reg.pk]
                if unit is not None:
                    chosen = [u for u in chosen if u.number == unit]
                    if not chosen:
                        raise CommandError(f"Unit {unit} is not a unit of registration {reg.pk}.")
                for u in chosen if print_form.per_unit else [chosen[0] if unit is not None else None]:
                    path = out / print_form.filename(registration=reg, unit=u)
                    path.write_bytes(self._render(registry.render_completed, print_form, reg, u))
                    written.append(path)
        else:
            if not qualification:
                raise CommandError("Name --qualification for blank forms, or --registration / --centre.")
            if not print_form.has_blank:
                raise CommandError(registry.NO_BLANK_VERSION.format(title=print_form.title.lower()))
            qual = Qualification.objects.filter(code=qualification).first()
            if qual is None:
                raise CommandError(f"No qualification {qualification}.")
            units = selectors.qualification_units(qual, number=unit)
            if unit is not None and not units:
                raise CommandError(registry.UNIT_NOT_IN_QUALIFICATION.format(number=unit, code=qual.code))
            targets = units if print_form.per_unit else [units[0] if unit is not None else None]
            for u in targets:
                path = out / print_form.filename(qualification=qual, unit=u)
                path.write_bytes(self._render(registry.render_blank, print_form, qual, u))
                written.append(path)
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"{len(written)} PDF(s) written to {out}"))

    def _render(self, render, *args):
        try:
            return render(*args)
        except registry.RenderFailed as exc:
            raise CommandError(str(exc)) from exc

    def _registrations(self, registration, centre, qualification):
        qs = Registration.objects.select_related("candidate", "qualification", "centre")
        if registration is not None:
            regs = list(qs.filter(pk=registration))
            if not regs:
                raise CommandError(f"No registration {registration}.")
            return regs
        centre_obj = Centre.objects.filter(number=centre).first()
        if centre_obj is None:
            raise CommandError(f"No centre numbered {centre}.")
        qs = qs.filter(centre=centre_obj, status=Registration.Status.ACTIVE)
        if qualification:
            qs = qs.filter(qualification__code=qualification)
        regs = list(qs.order_by("pk"))
        if not regs:
            raise CommandError("No active registrations match.")
        return regs
