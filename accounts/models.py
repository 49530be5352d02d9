"""People, centres and the roles people hold in a centre."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from audit.dates import DATE


class Role(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ASSESSOR = "assessor", "Assessor"
    INTERNAL_VERIFIER = "internal_verifier", "Internal verifier"
    CENTRE_ADMIN = "centre_admin", "Centre admin"
    EXTERNAL_VERIFIER = "external_verifier", "External verifier"


# The roles that work on other people's portfolios: idle timeout, two-factor sign-in.
STAFF_ROLES = frozenset({Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN, Role.EXTERNAL_VERIFIER})

# Where each role lands after signing in, most powerful first for people who hold several roles.
ROLE_DASHBOARDS = [
    (Role.CENTRE_ADMIN, "dashboards:centre_admin"),
    (Role.INTERNAL_VERIFIER, "dashboards:internal_verifier"),
    (Role.ASSESSOR, "dashboards:assessor"),
    (Role.CANDIDATE, "dashboards:candidate"),
    (Role.EXTERNAL_VERIFIER, "dashboards:external_verifier"),
]


class Centre(models.Model):
    """A training provider approved to offer qualifications. Everything belongs to one."""

    name = models.CharField(max_length=200)
    number = models.CharField("centre number", max_length=20, unique=True)
    address = models.TextField(blank=True)
    require_two_factor = models.BooleanField(
        "require two-factor sign-in",
        default=False,
        help_text="Assessors, internal verifiers, centre admins and external verifiers of this centre must set "
        "up an authenticator app (TOTP) before they can do anything else.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.number})"


class User(AbstractUser):
    """A person. Roles are held per centre through Membership; one person may hold several."""

    email = models.EmailField("email address", blank=True)
    is_trainee_assessor = models.BooleanField(
        default=False,
        help_text="A trainee assessor's unit sign-offs need a qualified assessor's countersignature.",
    )
    candidate_number = models.CharField(
        max_length=30, blank=True, help_text="The awarding body's enrolment number, for candidates"
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def roles_in(self, centre) -> set[str]:
        return {m.role for m in self.memberships.all() if m.centre_id == centre.pk}

    @property
    def role_set(self) -> set[str]:
        """Every role this person holds in any centre (cached per instance)."""
        if not hasattr(self, "_role_set"):
            self._role_set = set(self.memberships.values_list("role", flat=True)) if self.pk else set()
        return self._role_set


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "centre", "role"], name="unique_membership_role")
        ]
        ordering = ["centre", "user", "role"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.centre}"


class Invitation(models.Model):
    """An invitation to set a password, emailed when a centre admin creates a person.

    The link carries a token (accounts.people.tokens) bound to this row's `sent_at`, so resending
    (a new `sent_at`) or revoking breaks every earlier link, and setting the password breaks it too.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["user", "-sent_at"], name="invitation_user_newest")]

    def __str__(self):
        return f"invitation for {self.user} at {self.centre}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


# --- staff competence: what the handbooks require of assessors and verifiers themselves ---------------
class StaffQualification(models.Model):
    """An assessor or verifier qualification a person holds (their certificates follow them between centres)."""

    class Kind(models.TextChoices):
        A1 = "A1", "A1 Assess candidates using a range of methods"
        D32 = "D32", "D32 Assess candidate performance"
        D33 = "D33", "D33 Assess candidates using differing sources of evidence"
        TAQA_ASSESSOR = "TAQA_ASSESSOR", "TAQA Level 3 Certificate in Assessing Vocational Achievement"
        V1 = "V1", "V1 Conduct internal quality assurance of the assessment process"
        D34 = "D34", "D34 Internally verify the assessment process"
        TAQA_IQA = "TAQA_IQA", "TAQA Level 4 Award in the Internal Quality Assurance of Assessment"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_qualifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    achieved_on = models.DateField()
    certificate_number = models.CharField(max_length=50, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="Only if the certificate or its renewal expires"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "-achieved_on"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.user}, {self.achieved_on:{DATE}})"


ASSESSOR_QUALIFICATIONS = frozenset(
    {
        StaffQualification.Kind.A1,
        StaffQualification.Kind.D32,
        StaffQualification.Kind.D33,
        StaffQualification.Kind.TAQA_ASSESSOR,
    }
)
IV_QUALIFICATIONS = frozenset(
    {StaffQualification.Kind.V1, StaffQualification.Kind.D34, StaffQualification.Kind.TAQA_IQA}
)


class StaffProfile(models.Model):
    """A member of staff's occupational competence statement and, for a trainee, their countersigning assessor."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    occupational_competence = models.TextField(blank=True, help_text="Occupational experience in the sector")
    competence_reviewed_on = models.DateField(null=True, blank=True)
    countersigning_assessor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="countersigned_trainees",
        help_text="A qualified assessor who countersigns this trainee's decisions",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"staff profile of {self.user}"


class CpdEntry(models.Model):
    """One continuing professional development activity."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="cpd_entries")
    date = models.DateField()
    activity = models.CharField(max_length=300)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    reflection = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "CPD entries"

    def __str__(self):
        return f"CPD {self.date:{DATE}} {self.activity} ({self.user})"


class StandardisationMeeting(models.Model):
    """A centre's standardisation meeting and who attended."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="standardisation_meetings")
    date = models.DateField()
    topic = models.CharField(max_length=300)
    attendees = models.ManyToManyField(User, related_name="standardisation_meetings", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"standardisation {self.date:{DATE}}: {self.topic}"


class Notification(models.Model):
    """A notice in a person's in-app list (the same event is emailed): it links to where the work is done."""

    class Kind(models.TextChoices):
        REFERRAL_NEW = "referral_new", "New referral"
        REFERRAL_ANSWERED = "referral_answered", "Referral answered"
        REFERRAL_CLOSED = "referral_closed", "Referral closed"
        FEEDBACK = "feedback", "Feedback"
        SIGN_OFF_AWAITED = "sign_off_awaited", "Sign-off awaited"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user}: {self.text[:60]}"
