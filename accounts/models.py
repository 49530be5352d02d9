"""People, centres and the roles people hold in a centre."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


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
        "require two-factor sign-in", default=False,
        help_text="Assessors, internal verifiers, centre admins and external verifiers of this centre must set "
                  "up an authenticator app (TOTP) before they can do anything else.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.number})"


class User(AbstractUser):
    """A person. Roles are held per centre through Membership; one person may hold several."""

    email = models.EmailField("email address", blank=True)
    is_trainee_assessor = models.BooleanField(
        default=False, help_text="A trainee assessor's unit sign-offs need a qualified assessor's countersignature."
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
        constraints = [models.UniqueConstraint(fields=["user", "centre", "role"], name="unique_membership_role")]
        ordering = ["centre", "user", "role"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.centre}"


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
