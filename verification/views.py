"""Verification pages. Thin: the selectors decide what a person sees, the services decide what they may do."""
import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.models import EvidenceMapping, Registration, UnitAssessment

from . import forms, permissions, selectors, services
from .models import VerificationDecision

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


def plan_detail(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    overview = selectors.plan_overview(plan, verifier=request.user)
    states = selectors.item_states(selectors.sample_items_visible_to(request.user).filter(plan=plan))
    labels = {d.id: d for d in overview.pool.decisions}
    proposal = [
        {"decision": d, "candidate": overview.pool.people.get(d.candidate, d.candidate),
         "assessor": overview.pool.people.get(d.assessor, d.assessor)}
        for d in overview.proposal.items
    ]
    return render(request, "verification/plan_detail.html", {
        "plan": plan, "overview": overview, "proposal": proposal, "states": states, "labels": labels,
        "may_sample": permissions.can_sample(request.user, plan.centre),
        "unsampled_assessors": [overview.pool.people.get(a, a) for a in overview.coverage.unsampled_assessors],
        "unsampled_candidates": [overview.pool.people.get(c, c) for c in overview.coverage.unsampled_candidates],
    })


@require_POST
def sample_accept(request, pk):
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    keys = request.POST.getlist("key") or None
    try:
        sample = services.sample_accept(plan=plan, actor=request.user, decision_keys=keys)
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
    return render(request, "verification/item_detail.html", {
        "item": item, "state": state, "ua": ua, "mapping_states": selectors.mapping_states(item),
        "may_decide": permissions.can_decide(request.user, ua.registration, assessors),
        "own_assessment": request.user.pk in assessors,
        "form": forms.DecisionForm(), "close_form": forms.ReferralCloseForm(),
    })


@require_POST
def item_decide(request, pk):
    item = get_object_or_404(selectors.sample_items_visible_to(request.user), pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.BAD_OUTCOME)
        return redirect("verification:item_detail", item.pk)
    try:
        decision = services.decision_record(item=item, actor=request.user, client_ip=request.META.get("REMOTE_ADDR"),
                                            **form.cleaned_data)
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
        decision = services.decision_record(item=item, actor=request.user, mapping=mapping,
                                            client_ip=request.META.get("REMOTE_ADDR"), **form.decision_kwargs())
    except ValidationError as exc:
        _error(request, exc)
    else:
        label = selectors.mapping_label(mapping)
        if decision.outcome == VerificationDecision.Outcome.REFERRED:
            messages.success(request, f"Assessment decision {label} referred back: the assessor has been told.")
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
    return redirect("verification:item_detail", decision.item_id)


def referral_list(request):
    referrals = selectors.open_referrals_for(request.user)
    return render(request, "verification/referral_list.html", {"referrals": referrals})


# --- flags and sites --------------------------------------------------------------------------------
def flag_list(request):
    centres = centres_of(request.user, roles=IV_OR_ADMIN)
    form = forms.FlagForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        centre = centres.filter(memberships__user=assessor, memberships__role=Role.ASSESSOR).first()
        try:
            services.assessor_flag_set(actor=request.user, centre=centre, assessor=assessor,
                                       flag=form.cleaned_data["flag"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Assessor flag saved.")
            return redirect("verification:flag_list")
    return render(request, "verification/flag_list.html", {
        "flags": selectors.flags_visible_to(request.user), "form": form})


def site_list(request):
    registrations = Registration.objects.filter(
        centre__in=centres_of(request.user, roles=IV_OR_ADMIN)).select_related(
        "candidate", "qualification", "verification_site").order_by("candidate__last_name", "id")
    if request.method == "POST":
        form = forms.SiteForm(request.POST, registrations=registrations)
        if form.is_valid():
            try:
                services.candidate_site_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(request, "Site saved.")
        return redirect("verification:site_list")
    return render(request, "verification/site_list.html", {"registrations": registrations})


# --- external verifier access (centre admin) -------------------------------------------------------
def grant_list(request):
    grants = selectors.grants_visible_to(request.user).prefetch_related(
        Prefetch("registrations", queryset=Registration.objects.select_related("candidate", "qualification")))
    return render(request, "verification/grant_list.html", {"grants": grants, "today": selectors.today()})


def grant_create(request):
    centres = centres_of(request.user, roles=[Role.CENTRE_ADMIN])
    form = forms.GrantForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            from django.db import transaction

            with transaction.atomic():
                ev = data["external_verifier"] or services.ev_user_create(
                    actor=request.user, centre=data["centre"], username=data["new_username"],
                    first_name=data["new_first_name"], last_name=data["new_last_name"], email=data["new_email"])
                services.grant_create(actor=request.user, centre=data["centre"], external_verifier=ev,
                                      scope=data["scope"], expires_on=data["expires_on"],
                                      registrations=data["registrations"], sample=data["sample"])
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"Read-only access granted to {ev} until {data['expires_on']:%d/%m/%Y}.")
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
    return render(request, "verification/grant_log.html", {"grant": grant,
                                                           "log": selectors.access_log_for(grant)[:500]})


# --- external verifier pages (read-only, logged) ---------------------------------------------------
def _ev_registration(request, pk):
    registration = selectors.ev_registrations_visible_to(request.user).filter(pk=pk).first()
    if registration is None:
        raise Http404("Not found.")
    grant = selectors.grant_for_registration(request.user, registration)
    services.ev_page_log(user=request.user, path=request.get_full_path(), view_name=request.resolver_match.view_name,
                         registration=registration, grant=grant)
    return registration


def ev_home(request):
    context = selectors.ev_dashboard(request.user)
    grants = context["grants"]
    services.ev_page_log(user=request.user, path=request.get_full_path(), view_name=request.resolver_match.view_name,
                         grant=grants[0] if grants else None)
    return render(request, "verification/ev_home.html", context)


def ev_registration(request, pk):
    registration = _ev_registration(request, pk)
    uas = UnitAssessment.objects.filter(registration=registration).select_related("unit", "signed_by")
    signatures = selectors.iv_signatures_for(registration)
    from evidence.models import EvidenceItem

    evidence = EvidenceItem.objects.filter(candidate_id=registration.candidate_id, centre_id=registration.centre_id,
                                           deleted_at__isnull=True).order_by("-created_at", "-id")
    units = [{"ua": ua, "iv": signatures.get(ua.unit_id)} for ua in uas]
    return render(request, "verification/ev_registration.html", {
        "registration": registration, "units": units, "evidence": evidence})


def ev_unit(request, pk, unit_pk):
    registration = _ev_registration(request, pk)
    ua = get_object_or_404(UnitAssessment.objects.select_related("unit", "signed_by"),
                           registration=registration, unit_id=unit_pk)
    mappings = EvidenceMapping.objects.filter(registration=registration, unit_id=unit_pk).select_related(
        "evidence", "criterion", "range_item", "assessed_by")
    decisions = VerificationDecision.objects.filter(unit_assessment=ua).select_related("verifier")
    return render(request, "verification/ev_unit.html", {
        "registration": registration, "ua": ua, "mappings": mappings, "decisions": decisions})


# The printed forms an external verifier may download for a granted candidate (read-only, logged like a page).
EV_FORMS = ("unit-summary", "iv-sampling-record", "portfolio", "recording-form")


def _ev_pdf(request, registration, slug, unit=None):
    from printing import registry

    form = registry.get_form(slug)
    response = HttpResponse(registry.render_completed(form, registration, unit), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{form.filename(registration=registration, unit=unit)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def ev_form(request, pk, slug):
    """A completed form of a granted registration: the summary, the IV sampling record, the whole portfolio,
    or every unit's recording form in one PDF."""
    if slug not in EV_FORMS:
        raise Http404("No such form.")
    registration = _ev_registration(request, pk)
    return _ev_pdf(request, registration, slug)


def ev_unit_form(request, pk, unit_pk):
    """One unit's completed recording form of a granted registration."""
    from assessment.selectors import registration_units

    registration = _ev_registration(request, pk)
    unit = next((u for u in registration_units(registration) if u.pk == unit_pk), None)
    if unit is None:
        raise Http404("No such unit in this registration.")
    return _ev_pdf(request, registration, "recording-form", unit)


# --- certification claims (centre admin) -----------------------------------------------------------
def claim_list(request):
    return render(request, "verification/claim_list.html", {
        "checks": selectors.claim_candidates_for(request.user),
        "claims": selectors.claims_visible_to(request.user),
    })


@require_POST
def claim_submit(request, pk):
    registration = get_object_or_404(Registration.objects.filter(
        centre__in=centres_of(request.user, roles=[Role.CENTRE_ADMIN])), pk=pk)
    form = forms.ClaimForm(request.POST)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    try:
        claim = services.claim_submit(registration=registration, actor=request.user, kind=kind)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{claim.get_kind_display()} claimed for {registration.candidate}: "
                                  f"{len(claim.units)} unit(s), {claim.credits} credits.")
    return redirect("verification:claim_list")


def claim_export(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="certification-claims.csv"'
    writer = csv.writer(response)
    writer.writerow(["claimed_on", "centre_number", "candidate", "candidate_number", "qualification", "kind",
                     "units", "credits", "engine_status", "claimed_by"])
    for claim in selectors.claims_visible_to(request.user).select_related("centre"):
        reg = claim.registration
        summary = selectors.claim_summary(claim)   # the same statement the claim PDF prints
        writer.writerow([
            f"{summary.claimed_on:%d/%m/%Y}", claim.centre.number, _csv_safe(str(reg.candidate)),
            _csv_safe(reg.candidate_number), reg.qualification.code, summary.kind, " ".join(summary.units),
            summary.credits, summary.engine_status, _csv_safe(summary.claimed_by),
        ])
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value

