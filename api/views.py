"""The MIS API, version 1. Every endpoint answers only for the token's centre."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Membership, Role, User
from accounts.people import services as people_services
from accounts.people.forms import PersonForm
from assessment import services as assessment_services
from assessment.models import Registration
from assessment.selectors import registration_progress
from audit.actions import Action
from audit.services import audit_record
from qualifications.models import Qualification, QualificationUnit
from verification.models import CertificationClaim

from . import serializers
from .models import Scope
from .permissions import HasScope


class ByIdCursor(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (settings REST_FRAMEWORK DEFAULT_THROTTLE_RATES['api_token'])."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        principal = request.auth
        token_id = getattr(getattr(principal, "token", None), "pk", None)
        return None if token_id is None else self.cache_format % {"scope": self.scope, "ident": token_id}


class CentreScoped:
    permission_classes = [HasScope]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ByIdCursor
    read_scope: str | None = None
    write_scope: str | None = None

    @property
    def centre(self):
        return self.request.auth.centre


PERSON_EXISTS = "{message} Nothing was created: a repeated request makes no second person."


class PersonList(CentreScoped, generics.ListCreateAPIView):
    """The centre's people and their roles here; POST creates a person as the People screen does."""

    read_scope = Scope.READ_PEOPLE
    write_scope = Scope.WRITE_PEOPLE

    def get_serializer_class(self):
        return (
            serializers.PersonCreateSerializer
            if self.request.method == "POST"
            else serializers.PersonSerializer
        )

    def get_queryset(self):
        here = Membership.objects.filter(centre=self.centre)
        return (
            User.objects.filter(pk__in=here.values("user_id"))
            .order_by("id")
            .prefetch_related(Prefetch("memberships", queryset=here))
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "centre": self.centre}

    @extend_schema(
        request=serializers.PersonCreateSerializer,
        responses={
            201: serializers.PersonSerializer,
            400: OpenApiResponse(
                description="Malformed JSON, an unknown field, or a refusal of the people "
                "form's checks (each named in words)."
            ),
            403: OpenApiResponse(description="The token does not hold write:people."),
            409: OpenApiResponse(
                description="The username or the email address already belongs to an account: "
                "nothing was created. `id` names the person when they are of "
                "this centre."
            ),
        },
        description="Create a person holding the given roles (candidate, assessor, internal_verifier) at the "
        "token's centre, with no password, and email them an invitation to set one: the same "
        "checks as the centre admin's People screen. `username` may be left out: it is then "
        "suggested from the name (first.last). The same username or email twice makes one person "
        "and a 409 answer.",
    )
    def post(self, request, *args, **kwargs):
        incoming = serializers.PersonCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        # The people form itself: its field rules and its clean() (a candidate number only for candidates).
        form = PersonForm({**data, "roles": list(data.get("roles", []))})
        if not form.is_valid():
            raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        clean = form.cleaned_data
        username = clean["username"].strip() or people_services.username_suggest(
            clean["first_name"], clean["last_name"]
        )
        try:
            with transaction.atomic():
                person = people_services.person_create(
                    actor=request.user,
                    centre=self.centre,
                    first_name=clean["first_name"],
                    last_name=clean["last_name"],
                    email=clean["email"],
                    username=username,
                    roles=clean["roles"],
                    candidate_number=clean["candidate_number"],
                )
                audit_record(
                    actor=request.user,
                    action=Action.API_PERSON_CREATED,
                    obj=person,
                    centre=self.centre,
                    details={
                        "token": request.auth.token.prefix,
                        "username": person.username,
                        "roles": clean["roles"],
                    },
                )
        except DjangoValidationError as exc:
            taken = {
                people_services.USERNAME_TAKEN.format(username=username),
                people_services.EMAIL_TAKEN.format(email=clean["email"].strip()),
            }
            if not taken & set(exc.messages):
                raise ValidationError(
                    exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
                ) from exc
            existing = User.objects.filter(
                Q(username__iexact=username) | Q(email__iexact=clean["email"])
            ).first()
            body = {"detail": PERSON_EXISTS.format(message=" ".join(exc.messages))}
            if existing and Membership.objects.filter(user=existing, centre=self.centre).exists():
                body["id"] = existing.pk
            return Response(body, status=status.HTTP_409_CONFLICT)
        out = serializers.PersonSerializer(
            self.get_queryset().get(pk=person.pk), context=self.get_serializer_context()
        )
        return Response(out.data, status=status.HTTP_201_CREATED)


class RegistrationList(CentreScoped, generics.ListCreateAPIView):
    """The centre's registrations; POST registers a candidate through the same checks as the form."""

    read_scope = Scope.READ_REGISTRATIONS
    write_scope = Scope.WRITE_REGISTRATIONS

    def get_serializer_class(self):
        return (
            serializers.RegistrationCreateSerializer
            if self.request.method == "POST"
            else serializers.RegistrationSerializer
        )

    def get_queryset(self):
        return (
            Registration.objects.filter(centre=self.centre)
            .order_by("id")
            .select_related("candidate", "qualification", "assessor", "internal_verifier")
            .prefetch_related("optional_units")
        )

    def _person(self, username, role, field):
        user = User.objects.filter(
            username=username, is_active=True, memberships__centre=self.centre, memberships__role=role
        ).first()
        if user is None:
            raise ValidationError({field: [f"No {Role(role).label.lower()} '{username}' at this centre."]})
        return user

    @extend_schema(
        request=serializers.RegistrationCreateSerializer, responses=serializers.RegistrationSerializer
    )
    def post(self, request, *args, **kwargs):
        incoming = serializers.RegistrationCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        qualification = Qualification.objects.filter(code=data["qualification"]).first()
        if qualification is None:
            raise ValidationError({"qualification": [f"No qualification '{data['qualification']}'."]})
        wanted = set(data["optional_units"])
        units = [
            m.unit
            for m in QualificationUnit.objects.filter(
                qualification=qualification, unit__number__in=wanted
            ).select_related("unit")
        ]
        unknown = wanted - {u.number for u in units}
        if unknown:
            raise ValidationError(
                {"optional_units": [f"Not units of {qualification.code}: {', '.join(sorted(unknown))}."]}
            )
        unknown = assessment_services.unknown_entry_conditions(
            qualification, data["entry_conditions_confirmed"]
        )
        if unknown:
            raise ValidationError({"entry_conditions_confirmed": [unknown]})
        try:
            with transaction.atomic():
                registration = assessment_services.registration_create(
                    actor=request.user,
                    centre=self.centre,
                    qualification=qualification,
                    candidate=self._person(data["candidate"], Role.CANDIDATE, "candidate"),
                    assessor=self._person(data["assessor"], Role.ASSESSOR, "assessor"),
                    internal_verifier=self._person(
                        data["internal_verifier"], Role.INTERNAL_VERIFIER, "internal_verifier"
                    ),
                    registered_on=data["registered_on"],
                    optional_units=units,
                    candidate_number=data["candidate_number"],
                    entry_conditions_confirmed=data["entry_conditions_confirmed"],
                )
                audit_record(
                    actor=request.user,
                    action=Action.API_REGISTRATION_CREATED,
                    obj=registration,
                    centre=self.centre,
                    details={"token": request.auth.token.prefix},
                )
        except DjangoValidationError as exc:
            raise ValidationError({"non_field_errors": exc.messages}) from exc
        out = serializers.RegistrationSerializer(self.get_queryset().get(pk=registration.pk))
        return Response(out.data, status=status.HTTP_201_CREATED)


class RegistrationProgress(CentreScoped, generics.GenericAPIView):
    """Per unit of one registration: criteria met, what is missing, its sign-off state."""

    read_scope = Scope.READ_PROGRESS
    pagination_class = None
    serializer_class = serializers.UnitProgressSerializer

    def get(self, request, pk):
        registration = (
            Registration.objects.filter(centre=self.centre, pk=pk).select_related("qualification").first()
        )
        if registration is None:
            raise NotFound
        rows = registration_progress(registration)
        return Response(
            {
                "registration": registration.pk,
                "units": serializers.UnitProgressSerializer(rows, many=True).data,
            }
        )


class ClaimList(CentreScoped, generics.ListAPIView):
    """The centre's certification claims."""

    serializer_class = serializers.ClaimSerializer
    read_scope = Scope.READ_CLAIMS

    def get_queryset(self):
        return (
            CertificationClaim.objects.filter(centre=self.centre)
            .order_by("id")
            .select_related("registration__candidate", "registration__qualification")
        )
