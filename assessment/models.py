"""Registrations and everything an assessor records about a candidate's work."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Registration(models.Model):
    """A candidate registered on a qualification at a centre, with an assessor and an internal verifier."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CERTIFIED = "certified", "Certified"
        WITHDRAWN = "withdrawn", "Withdrawn"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="registrations")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations")
    qualification = models.ForeignKey(
        "qualifications.Qualification", on_delete=models.PROTECT, related_name="registrations"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessor_registrations"
    )
    internal_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="iv_registrations"
    )
    candidate_number = models.CharField(max_length=30, blank=True, help_text="Awarding body enrolment number")
    registered_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    optional_units = models.ManyToManyField(
        "qualifications.Unit", blank=True, related_name="chosen_in_registrations",
        help_text="The optional units chosen at registration",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(assessor=F("internal_verifier")),
                name="registration_iv_is_not_assessor",
                violation_error_message="The internal verifier cannot be the candidate's assessor.",
            ),
            models.CheckConstraint(
                condition=~Q(candidate=F("assessor")) & ~Q(candidate=F("internal_verifier")),
                name="registration_candidate_is_not_staff",
                violation_error_message="A candidate cannot assess or verify their own registration.",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.qualification.code}"
