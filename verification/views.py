"""Verification pages. Thin: the selectors decide what a person sees, the services decide what they may do."""

import csv
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.models import Feedback, Registration, UnitAssessment
from assessment.selectors import latest_confirmed, registration_units
from assessment.services import AUTHENTICITY_STATEMENT
from audit.dates import DATE
from audit.paging import page_of
from evidence.models import EvidenceItem
from evidence.selectors import evidence_visible_to

from . import forms, hooks, permissions, selectors, services
from .models import CertificationClaim, VerificationDecision

IV_OR_ADMIN = selectors.IV_OR_ADMIN


def _error(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


# --- sampling plans ---------------------------------------------------------------------------------
def plan_list(request):
    plans = selectors.plans_visible_to(request.user).order_by("-period_start", "id")
    return render(request, "verification/plan_list.html", {"plans": plans})


def plan_create(request):
    centres = centres_of(request.user, roles=IV_OR_ADMIN)
    form = forms.PlanForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Sampling plan saved.")
            return redirect("verification:plan_detail", plan.pk)
    return render(request, "verification/plan_form.html", {"form": form})


PLAN_GRID_PER_PAGE = 25  # candidates per page of the coverage grid
PLAN_NAMES_SHOWN = 20  # names in the "not yet sampled" lists


def plan_detail(request, pk):
    """The plan: its coverage counted by the database, the latest proposal generated in the background (the first
    rows listed), the grid paged by candidate and the sampled units paged. Bounded by what it shows."""
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    coverage = selectors.plan_coverage(plan)
    grid_page = page_of(
        request,
        selectors.plan_candidates(plan, coverage.candidates),
        PLAN_GRID_PER_PAGE,
        param="candidates_page",
    )
    sampled_page = page_of(
        request,
        selectors.sample_items_visible_to(request.user)
        .filter(plan=plan)
        .order_by("unit_assessment__registration__candidate__last_name", "unit_assessment_id", "stage", "id"),
        param="sampled_page",
    )
    states = selectors.item_states(sampled_page.object_list, fresh=True)
    unsampled = (
        selectors.plan_unsampled_candidates(plan)[:PLAN_NAMES_SHOWN] if coverage.unsampled_candidates else []
    )
    generation = selectors.latest_generation(plan, request.user)
    return render(
        request,
        "verification/plan_detail.html",
        {
            "plan": plan,
            "coverage": coverage,
            "states": states,
            "generation": generation,
            "grid": selectors.plan_page_grid(
                plan, grid_page.object_list, coverage.units, verifier=request.user, flags=coverage.flags
            ),
            "grid_page": grid_page,
            "sampled_page": sampled_page,
            "unsampled_candidates_count": coverage.unsampled_candidates,
            "may_sample": permissions.can_sample(request.user, plan.centre),
            "needs": [(n.met, selectors.describe_need(n, coverage.people)) for n in coverage.needs],
            "unsampled_methods": [selectors.method_label(m) for m in coverage.unsampled_methods],
            "stages": [selectors.stage_label(s).lower() for s in plan.stages],
            "unsampled_assessors": [coverage.people.get(a, a) for a in coverage.unsampled_assessors],
            "unsampled_candidates": [str(r.candidate) for r in unsampled],
        },
    )


@require_POST
def sample_generate(request, pk):
    """Ask for a proposed sample of the whole plan, generated in the background (a second click while one is
    under way shows that one)."""
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    try:
        services.sample_generation_request(plan=plan, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.info(request, "The proposed sample is being generated: this page shows its progress.")
    return redirect(reverse("verification:plan_detail", args=[plan.pk]) + "#proposal-h")


@require_POST
def sample_accept(request, pk):
    """Accept a generated proposal (`generation`) or the decisions chosen in the grid (`key`)."""
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    keys = request.POST.getlist("key")
    generation_id = request.POST.get("generation", "")
    generation = plan.generations.filter(pk=int(generation_id)).first() if generation_id.isdigit() else None
    try:
        if generation is not None:
            sample = services.sample_generation_accept(generation=generation, actor=request.user)
        elif keys:
            sample = services.sample_accept(plan=plan, actor=request.user, decision_keys=keys)
        else:
            raise ValidationError(services.GENERATION_NOT_READY)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{sample.items.count()} unit(s) added to the sample.")
    return redirect("verification:plan_detail", plan.pk)


# --- sampled units and decisions -------------------------------------------------------------------
def item_detail(request, pk):
    item = get_object_or_404(selectors.sample_items_visible_to(request.user), pk=pk)
    state = selectors.item_states([item])[0]
    ua = item.unit_assessment
    assessors = selectors.assessors_of(ua)

    feedback = list(
        Feedback.objects.filter(registration_id=ua.registration_id, unit_id=ua.unit_id).select_related(
            "author"
        )[:20]
    )
    return render(
        request,
        "verification/item_detail.html",
        {
            "feedback": feedback,
            "declaration": AUTHENTICITY_STATEMENT,
            "note_form": forms.ReferralNoteForm(),
            "item": item,
            "state": state,
            "ua": ua,
            "mapping_states": selectors.mapping_states(item),
            "may_decide": permissions.can_decide(request.user, ua.registration, assessors),
            "own_assessment": request.user.pk in assessors,
            "form": forms.DecisionForm(),
            "close_form": forms.ReferralCloseForm(),
        },
    )


@require_POST
def item_decide(request, pk):
    item = get_object_or_404(selectors.sample_items_visible_to(request.user), pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.BAD_OUTCOME)
        return redirect("verification:item_detail", item.pk)
    try:
        decision = services.decision_record(
            item=item, actor=request.user, client_ip=request.META.get("REMOTE_ADDR"), **form.cleaned_data
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        if decision.outcome == VerificationDecision.Outcome.REFERRED:
            messages.success(request, "Referred back: the unit is open again and the assessor has been told.")
        else:
            messages.success(request, "Decision agreed.")
    return redirect("verification:item_detail", item.pk)


@require_POST
def mapping_decide(request, pk, mapping_pk):
    """The internal verifier agrees or refers back one assessment decision of a sampled unit."""
    item = get_object_or_404(selectors.sample_items_visible_to(request.user), pk=pk)
    mapping = get_object_or_404(selectors.item_mappings(item), pk=mapping_pk)
    form = forms.MappingDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.BAD_OUTCOME)
        return redirect("verification:item_detail", item.pk)
    try:
        decision = services.decision_record(
            item=item,
            actor=request.user,
            mapping=mapping,
            client_ip=request.META.get("REMOTE_ADDR"),
            **form.decision_kwargs(),
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        label = selectors.mapping_label(mapping)
        if decision.outcome == VerificationDecision.Outcome.REFERRED:
            messages.success(
                request, f"Assessment decision {label} referred back: the assessor has been told."
            )
        else:
            messages.success(request, f"Assessment decision {label} agreed.")
    return redirect(f"{reverse('verification:item_detail', args=[item.pk])}#mapping-{mapping_pk}")


@require_POST
def referral_close(request, pk):
    decision = get_object_or_404(selectors.open_referrals_for(request.user), pk=pk)
    form = forms.ReferralCloseForm(request.POST)
    form.is_valid()
    try:
        services.referral_close(decision=decision, actor=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Referral closed.")
    return redirect(f"{reverse('verification:item_detail', args=[decision.item_id])}#referral-{decision.pk}")


@require_POST
def referral_send_back(request, pk):
    decision = get_object_or_404(selectors.open_referrals_for(request.user), pk=pk)
    form = forms.ReferralNoteForm(request.POST)
    form.is_valid()
    try:
        services.referral_send_back(
            decision=decision, actor=request.user, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Referral sent back to the assessor.")
    return redirect(f"{reverse('verification:item_detail', args=[decision.item_id])}#referral-{decision.pk}")


def assessor_referral_list(request):
    """The assessor's referrals not yet closed, soonest due first: open ones are theirs to answer."""
    return render(
        request,
        "verification/assessor_referrals.html",
        {"referrals": list(selectors.referrals_for_assessor(request.user)), "today": selectors.today()},
    )


def referral_answer(request, pk):
    """The assessor answers one referral: new evidence, a corrected decision or an explanation."""
    decision = get_object_or_404(selectors.referrals_for_assessor(request.user), pk=pk)
    registration = decision.unit_assessment.registration
    evidence = EvidenceItem.objects.filter(
        candidate_id=registration.candidate_id, centre_id=registration.centre_id, deleted_at__isnull=True
    ).order_by("-created_at", "-id")
    form = forms.ReferralAnswerForm(request.POST or None, evidence_queryset=evidence)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_answer(decision=decision, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Referral answered: the internal verifier has been told.")
            return redirect("verification:assessor_referrals")
    return render(
        request,
        "verification/referral_answer.html",
        {
            "referral": decision,
            "registration": registration,
            "form": form,
            "label": selectors.referral_what(decision),
        },
        status=400 if request.method == "POST" else 200,
    )


def referral_list(request):
    query = forms.ReferralListQuery(request.GET)
    page = page_of(request, query.apply(selectors.open_referrals_for(request.user)))
    return render(request, "verification/referral_list.html", {"page": page, "query": query})


# --- flags and sites --------------------------------------------------------------------------------
def flag_list(request):
    centres = centres_of(request.user, roles=IV_OR_ADMIN)
    form = forms.FlagForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        centre = centres.filter(memberships__user=assessor, memberships__role=Role.ASSESSOR).first()
        try:
            services.assessor_flag_set(
                actor=request.user,
                centre=centre,
                assessor=assessor,
                flag=form.cleaned_data["flag"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Assessor flag saved.")
            return redirect("verification:flag_list")
    return render(
        request,
        "verification/flag_list.html",
        {"flags": selectors.flags_visible_to(request.user), "form": form},
    )


def site_list(request):
    registrations = Registration.objects.filter(
        centre__in=centres_of(request.user, roles=IV_OR_ADMIN)
    ).select_related("candidate", "qualification", "verification_site")
    if request.method == "POST":
        form = forms.SiteForm(request.POST, registrations=registrations)
        if form.is_valid():
            try:
                services.candidate_site_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(request, "Site saved.")
        back = request.POST.get("back", "")
        # Back to the page the site was saved from (its search and page), never anywhere else.
        return redirect(reverse("verification:site_list") + (f"?{back}" if back and "//" not in back else ""))
    query = forms.SiteListQuery(request.GET)
    page = page_of(request, query.apply(registrations))
    return render(request, "verification/site_list.html", {"page": page, "query": query})


# --- external verifier access (centre admin) -------------------------------------------------------
GRANT_NAMES_SHOWN = 5


def grant_list(request):
    """Paged grants; each names its first few candidates and counts the rest (a grant may name hundreds)."""
    query = forms.GrantListQuery(request.GET)
    grants = (
        query.apply(selectors.grants_visible_to(request.user))
        .annotate(registration_count=Count("registrations", distinct=True))
        .prefetch_related(
            Prefetch(
                "registrations",
                to_attr="first_registrations",
                queryset=Registration.objects.select_related("candidate", "qualification").order_by(
                    "candidate__last_name", "id"
                )[:GRANT_NAMES_SHOWN],
            )
        )
    )
    page = page_of(request, grants)
    return render(
        request, "verification/grant_list.html", {"page": page, "query": query, "today": selectors.today()}
    )


def grant_create(request):
    centres = centres_of(request.user, roles=[Role.CENTRE_ADMIN])
    form = forms.GrantForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            from django.db import transaction

            with transaction.atomic():
                ev = data["external_verifier"] or services.ev_for_email(
                    actor=request.user,
                    centre=data["centre"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
                services.grant_create(
                    actor=request.user,
                    centre=data["centre"],
                    external_verifier=ev,
                    scope=data["scope"],
                    expires_on=data["expires_on"],
                    registrations=data["registrations"],
                    sample=data["sample"],
                )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"Read-only access granted to {ev} until {data['expires_on']:{DATE}}.")
            return redirect("verification:grant_list")
    return render(request, "verification/grant_form.html", {"form": form})


@require_POST
def grant_revoke(request, pk):
    grant = get_object_or_404(selectors.grants_visible_to(request.user), pk=pk)
    try:
        services.grant_revoke(grant=grant, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"Access of {grant.external_verifier} revoked.")
    return redirect("verification:grant_list")


def grant_log(request, pk):
    grant = get_object_or_404(selectors.grants_visible_to(request.user), pk=pk)
    return render(
        request, "verification/grant_log.html", {"grant": grant, "log": selectors.access_log_for(grant)[:500]}
    )


# --- external verifier pages (read-only, logged) ---------------------------------------------------
def _ev_registration(request, pk, unit_pk=None):
    """The granted registration and what of it the grant covers (selectors.ev_scope_for), logged; 404 for a
    registration, or a unit of it, outside every active grant."""
    registration = selectors.ev_registrations_visible_to(request.user).filter(pk=pk).first()
    scope = selectors.ev_scope_for(request.user, registration) if registration is not None else None
    if scope is None or (unit_pk is not None and not scope.covers_unit(unit_pk)):
        raise Http404("Not found.")
    services.ev_page_log(
        user=request.user,
        path=request.get_full_path(),
        view_name=request.resolver_match.view_name,
        registration=registration,
        grant=scope.grant,
    )
    return registration, scope


def ev_home(request):
    context = selectors.ev_dashboard(request.user)
    grants = context["grants"]
    services.ev_page_log(
        user=request.user,
        path=request.get_full_path(),
        view_name=request.resolver_match.view_name,
        grant=grants[0] if grants else None,
    )
    return render(request, "verification/ev_home.html", context)


def ev_registration(request, pk):
    """A granted registration: its units and evidence, or for a sample grant the sampled units and the evidence
    mapped into them only."""
    registration, scope = _ev_registration(request, pk)
    uas = UnitAssessment.objects.filter(registration=registration).select_related(
        "unit", "signed_by", "transfer_confirmed_by"
    )
    if not scope.whole:
        uas = uas.filter(unit_id__in=scope.unit_ids)
    signatures = selectors.iv_signatures_for(registration)
    evidence = (
        evidence_visible_to(request.user)
        .filter(candidate_id=registration.candidate_id, centre_id=registration.centre_id)
        .order_by("-created_at", "-id")
    )
    units = [{"ua": ua, "iv": signatures.get(ua.unit_id)} for ua in uas]
    return render(
        request,
        "verification/ev_registration.html",
        {
            "registration": registration,
            "units": units,
            "evidence": evidence,
            "scope": scope,
            "forms": [slug for slug in EV_FORMS if scope.whole or slug in EV_SAMPLE_FORMS],
            "employer_confirmation": latest_confirmed(registration),
        },
    )


def ev_unit(request, pk, unit_pk):
    """A granted unit: each assessment decision with its evidence inline (each item shown is logged), and its
    evidence requirements with their status."""
    registration, scope = _ev_registration(request, pk, unit_pk)
    review = selectors.ev_unit_review(request.user, registration, unit_pk)
    if review is None:
        raise Http404("No such unit in this registration.")
    services.ev_evidence_shown(
        user=request.user,
        grant=scope.grant,
        registration=registration,
        path=request.get_full_path(),
        view_name=request.resolver_match.view_name,
        evidence_ids=review.evidence_shown,
    )
    from assessment.selectors import unit_matrix

    return render(
        request,
        "verification/ev_unit.html",
        {
            "registration": registration,
            "ua": review.unit_assessment,
            "review": review,
            # the evidence requirements as the assessor's coverage matrix decides them (one definition)
            "matrix": unit_matrix(registration, review.unit_assessment.unit),
        },
    )


# The printed forms an external verifier may download for a granted candidate (read-only, logged like a page).
EV_FORMS = ("unit-summary", "iv-sampling-record", "portfolio", "recording-form")
# Under a sample grant: the forms that print units only, limited to the sampled units (the whole portfolio is
# more than the sample).
EV_SAMPLE_FORMS = ("unit-summary", "iv-sampling-record", "recording-form")


def _ev_pdf(request, registration, slug, scope, unit=None):
    content, filename = hooks.form_pdf(
        slug=slug, registration=registration, unit=unit, only_units=scope.unit_ids
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# A form that fails to render answers the external verifier in words on the page they came from (as the centre's
# own downloads do), never a server error or a broken download; the fault is logged.
EV_FORM_FAILED = (
    "The {form} of {candidate} could not be printed: {error}. The fault is logged for the centre's "
    "administrator; try again later, or ask the centre for the form."
)
EV_FORM_NAMES = {
    "unit-summary": "summary of unit achievement",
    "iv-sampling-record": "internal verification sampling record",
    "portfolio": "whole portfolio",
    "recording-form": "recording forms",
}
logger = logging.getLogger(__name__)


def _ev_pdf_or_message(request, registration, slug, scope, unit=None):
    try:
        return _ev_pdf(request, registration, slug, scope, unit)
    except Exception as exc:  # any render failure: the message below, the traceback in the log
        cause = exc.__cause__ or exc
        form = f"recording form of unit {unit.number}" if unit is not None else EV_FORM_NAMES.get(slug, slug)
        message = EV_FORM_FAILED.format(
            form=form,
            error=f"{type(cause).__name__} {cause}".strip(),
            candidate=registration.candidate.get_full_name() or registration.candidate.get_username(),
        )
        logger.exception(
            "external verifier %s: %s (registration %s)", request.user.pk, message, registration.pk
        )
        messages.error(request, message)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("verification:ev_registration", args=[registration.pk])
        return redirect(back)


def ev_form(request, pk, slug):
    """A completed form of a granted registration: the summary, the IV sampling record, the whole portfolio,
    or every unit's recording form in one PDF (a sample grant: the sampled units' forms only)."""
    if slug not in EV_FORMS:
        raise Http404("No such form.")
    registration, scope = _ev_registration(request, pk)
    if not scope.whole and slug not in EV_SAMPLE_FORMS:
        raise Http404("No such form.")
    return _ev_pdf_or_message(request, registration, slug, scope)


def ev_unit_form(request, pk, unit_pk):
    """One unit's completed recording form of a granted registration."""
    registration, scope = _ev_registration(request, pk, unit_pk)
    unit = next((u for u in registration_units(registration) if u.pk == unit_pk), None)
    if unit is None:
        raise Http404("No such unit in this registration.")
    return _ev_pdf_or_message(request, registration, "recording-form", scope, unit)


# --- certification claims (centre admin) -----------------------------------------------------------
def claim_list(request):
    """Two paged lists: the registrations ready to claim (each page's claim gate checked, not the centre's) and
    the claims made."""
    ready_query, claims_query = forms.ClaimReadyQuery(request.GET), forms.ClaimListQuery(request.GET)
    ready = page_of(
        request, ready_query.apply(selectors.claim_candidate_registrations(request.user)), param="ready_page"
    )
    claims = page_of(request, claims_query.apply(selectors.claims_visible_to(request.user)))
    return render(
        request,
        "verification/claim_list.html",
        {
            "checks": selectors.claim_checks(ready.object_list),
            "ready": ready,
            "ready_query": ready_query,
            "claims": selectors.claim_summaries(claims.object_list),
            "claims_page": claims,
            "claims_query": claims_query,
            "cancel_form": forms.ClaimCancelForm(),
        },
    )


def _claim_registration(request, pk):
    return get_object_or_404(
        Registration.objects.filter(
            centre__in=centres_of(request.user, roles=[Role.CENTRE_ADMIN])
        ).select_related("candidate", "qualification", "centre"),
        pk=pk,
    )


def claim_submit(request, pk):
    """GET: the confirmation page of a claim that closes the registration (full or exit) or of a unit claim;
    POST: the claim. A claim that closes the registration needs the confirmation ticked."""
    registration = _claim_registration(request, pk)
    check = selectors.claim_checks([registration])[0]
    kind = request.POST.get("kind") or request.GET.get("kind") or CertificationClaim.Kind.UNITS
    form = forms.ClaimForm(
        request.POST or None,
        refs=check.claimable_refs + check.claimed_refs,
        initial={"kind": kind, "unit": check.claimable_refs},
    )
    closes = kind in (CertificationClaim.Kind.FULL, CertificationClaim.Kind.EXIT)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, CLAIM_FORM_INVALID)
        elif closes and not form.cleaned_data["confirmed"]:
            messages.error(request, CONFIRM_REQUIRED)
        else:
            data = form.cleaned_data
            try:
                claim = services.claim_submit(
                    registration=registration,
                    actor=request.user,
                    kind=data["kind"],
                    units=data["unit"] or None,
                    reason=data["reason"],
                )
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(
                    request,
                    f"{claim.get_kind_display()} claimed for {registration.candidate}: "
                    f"{len(claim.units)} unit(s), {claim.credits} credits.",
                )
                return redirect("verification:claim_list")
    return render(
        request,
        "verification/claim_confirm.html",
        {
            "registration": registration,
            "check": check,
            "kind": kind,
            "closes": closes,
            "form": form,
            "kind_label": dict(CertificationClaim.Kind.choices).get(kind, kind),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def claim_cancel(request, pk):
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    form = forms.ClaimCancelForm(request.POST)
    try:
        services.claim_cancel(
            claim=claim, actor=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Claim cancelled: its units can be claimed again.")
    return redirect("verification:claim_list")


CSV_HEADER = [
    "centre_number",
    "candidate",
    "candidate_number",
    "qualification",
    "units",
    "credits",
    "claimed_on",
    "kind",
    "status",
    "engine_status",
    "claimed_by",
]
CLAIM_FORM_INVALID = "Choose the kind of claim and the units from the list."
CONFIRM_REQUIRED = "Tick the confirmation: this claim closes the registration and cannot be undone here."


def claim_export(request):
    """One row per claim, in the order an awarding body's bulk entry takes them: candidate, candidate number,
    qualification, units with their accreditation numbers, credits, date, kind (the claim PDF says the same)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="certification-claims.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    claims = selectors.claims_visible_to(request.user).order_by("claimed_at", "id")
    for claim, summary in selectors.claim_summaries(claims):
        reg = claim.registration
        writer.writerow(
            [
                claim.centre.number,
                _csv_safe(str(reg.candidate)),
                _csv_safe(reg.candidate_number),
                reg.qualification.code,
                _csv_safe(summary.units_text),
                summary.credits,
                f"{summary.claimed_on:{DATE}}",
                summary.kind,
                claim.status,
                summary.engine_status,
                _csv_safe(summary.claimed_by),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
