"""Assessment pages. Thin: visibility comes from selectors (404 when not yours), decisions from services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from audit.dates import DATE
from audit.paging import page_of
from evidence import links
from evidence.forms import ALREADY_SAVED
from evidence.uploads import parse_evidence_upload
from qualifications import planner, specs
from qualifications.models import AssessmentCriterion, Qualification, Unit

from . import employer, forms, hooks, permissions, picker, selectors, services
from .models import AssessmentRecord, EvidenceMapping, UnitAssessment


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _registration(request, pk, queryset=None):
    queryset = queryset if queryset is not None else selectors.registrations_visible_to(request.user)
    return get_object_or_404(queryset, pk=pk)


def _unit(registration, unit_pk):
    unit = selectors.unit_of_registration(registration, unit_pk)
    if unit is None:
        raise Http404("No such unit in this registration.")
    return unit


def _staff_registration(request, pk):
    """Registration pages for the candidate's assessor, internal verifier and centre admins (not the candidate)."""
    registration = _registration(request, pk)
    if registration.candidate_id == request.user.pk and not (
        registration.assessor_id == request.user.pk or registration.internal_verifier_id == request.user.pk
    ):
        raise Http404
    return registration


def _closed(request, registration, to="assessment:registration_detail"):
    """A form page of a closed (certified or withdrawn) registration: say why, and go back instead."""
    if registration.is_open:
        return None
    messages.error(request, registration.lock_message)
    return redirect(to, pk=registration.pk)


def _planner(registration, progress):
    """The planner's cheapest route to the qualification from where the candidate stands."""
    spec = specs.qualification_spec(registration.qualification)
    achieved = [p.unit.ref for p in progress if p.unit_assessment and p.unit_assessment.status == "signed"]
    in_progress = [p.unit.ref for p in progress if p.criteria_met and p.unit.ref not in achieved]
    return planner.plan(spec, achieved, chosen=[p.unit.ref for p in progress], in_progress=in_progress)


# --- assessor ---------------------------------------------------------------------------------------
def caseload(request):
    query = forms.CaseloadQuery(request.GET)
    page = page_of(request, selectors.caseload_for(request.user, search=query.search))
    open_referrals = {}
    for mark in hooks.marks_for([row.registration.pk for row in page.object_list]):
        if mark.unanswered:
            open_referrals[mark.registration_id] = open_referrals.get(mark.registration_id, 0) + 1
    return render(
        request,
        "assessment/caseload.html",
        {
            "rows": [(row, open_referrals.get(row.registration.pk, 0)) for row in page.object_list],
            "page": page,
            "query": query,
            "countersign": selectors.countersign_queue_for(request.user),
        },
    )


def registration_detail(request, pk):
    registration = _staff_registration(request, pk)
    return render(
        request,
        "assessment/registration_detail.html",
        {
            "choice": selectors.registration_choice(registration),
            "extend_form": forms.RegistrationExtensionForm(),
            "past_end": bool(registration.expires_on and registration.expires_on < timezone.localdate()),
            "registration": registration,
            "progress": selectors.registration_progress(registration),
            "evidence": selectors.evidence_with_mapping_counts(registration),
            "records": registration.records.select_related("assessor"),
            "plans": registration.action_plans.prefetch_related("items__criteria"),
            "skills_scans": registration.skills_scans.all(),
            "reports": registration.assessment_reports.select_related("unit"),
            "feedback": selectors.feedback_for(registration),
            "can_assess": permissions.can_map(request.user, registration),
            "can_edit": permissions.can_edit_registration(request.user, registration),
            "can_change_status": permissions.can_change_status(request.user, registration),
            "record_kinds": AssessmentRecord.Kind.choices,
            "referrals": [m for m in hooks.marks_for([registration.pk])],
            "employer_confirmations": selectors.employer_confirmations_of(registration),
            "can_ask_employer": permissions.can_request_employer_confirmation(request.user, registration),
            "employer_form": forms.EmployerRequestForm(),
            "employer_statement": employer.STATEMENTS[employer.Kind.EMPLOYER],
        },
    )


def unit_matrix(request, pk, unit_pk):
    registration = _staff_registration(request, pk)
    unit = _unit(registration, unit_pk)
    matrix = selectors.unit_matrix(registration, unit)
    return render(request, "assessment/unit_matrix.html", _matrix_context(request, matrix))


def _matrix_context(request, matrix, sign_form=None, sign_problems=None):
    registration = matrix.registration
    to_confirm = [s.requirement for s in matrix.coverage.to_confirm]
    marks = [m for m in hooks.marks_for([registration.pk]) if m.unit_id == matrix.unit.pk]
    return {
        "referrals": marks,
        "referred_criteria": {m.criterion_id for m in marks if m.criterion_id},
        "referred_mappings": {m.mapping_id for m in marks if m.mapping_id},
        "registration": registration,
        "unit": matrix.unit,
        "matrix": matrix,
        "ua": matrix.unit_assessment,
        "can_assess": permissions.can_map(request.user, registration),
        "can_reopen": permissions.can_reopen(request.user, matrix.unit_assessment),
        "sign_form": sign_form
        or forms.SignOffForm(requirements=to_confirm, initial={"version": matrix.unit_assessment.version}),
        "reopen_form": forms.ReopenForm(),
        "sign_off_statement": services.SIGN_OFF_STATEMENT,
        # A refused sign-off's reasons (requirements confirmed without a note included) replace the list.
        "sign_problems": matrix.sign_off_problems if sign_problems is None else sign_problems,
    }


@require_POST
def unit_sign(request, pk, unit_pk):
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    unit = _unit(registration, unit_pk)
    matrix = selectors.unit_matrix(registration, unit)
    to_confirm = [s.requirement for s in matrix.coverage.to_confirm]
    form = forms.SignOffForm(request.POST, requirements=to_confirm)
    problems = None
    if form.is_valid():
        try:
            ua = services.unit_sign_off(
                unit_assessment=services.unit_assessment_ensure(registration=registration, unit=unit),
                actor=request.user,
                password=form.cleaned_data["password"],
                expected_version=form.cleaned_data["version"],
                confirmed_requirements=form.confirmations(),
                client_ip=request.META.get("REMOTE_ADDR"),
            )
        except services.CannotSignOff as exc:
            problems = exc.problems
            form.add_error(None, services.NOT_SIGNED_SEE_LIST.format(unit=unit.number))
        except ValidationError as exc:
            if matrix.unit_assessment.transfer_pending:  # the page shows no sign-off form for the error
                messages.error(request, _error_text(exc))
                return redirect("assessment:unit_matrix", pk=registration.pk, unit_pk=unit.pk)
            form.add_error(None, _error_text(exc))
        else:
            if ua.status == UnitAssessment.Status.AWAITING_COUNTERSIGNATURE:
                messages.success(
                    request,
                    f"Unit {unit.ref} signed: it now waits for a qualified assessor's countersignature.",
                )
            else:
                messages.success(request, f"Unit {unit.ref} signed off and locked.")
            return redirect("assessment:unit_matrix", pk=registration.pk, unit_pk=unit.pk)
    return render(
        request, "assessment/unit_matrix.html", _matrix_context(request, matrix, form, problems), status=400
    )


@require_POST
def unit_reopen(request, pk, unit_pk):
    registration = _registration(request, pk, selectors.registrations_administered_by(request.user))
    unit = _unit(registration, unit_pk)
    ua = get_object_or_404(UnitAssessment, registration=registration, unit=unit)
    form = forms.ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(services.REOPEN_REASON_REQUIRED)
        services.unit_reopen(unit_assessment=ua, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Unit {unit.ref} reopened; the reason is in the audit trail.")
    return redirect("assessment:unit_matrix", pk=registration.pk, unit_pk=unit.pk)


def countersign_queue(request):
    return render(
        request, "assessment/countersign_queue.html", {"queue": selectors.countersign_queue_for(request.user)}
    )


def unit_countersign(request, ua_pk):
    ua = get_object_or_404(selectors.countersign_queue_for(request.user), pk=ua_pk)
    matrix = selectors.unit_matrix(ua.registration, ua.unit)
    form = forms.CountersignForm(request.POST or None, initial={"version": ua.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_countersign(
                unit_assessment=ua,
                actor=request.user,
                password=form.cleaned_data["password"],
                expected_version=form.cleaned_data["version"],
                client_ip=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"Unit {ua.unit.ref} countersigned.")
            return redirect("assessment:countersign_queue")
    return render(
        request,
        "assessment/countersign.html",
        {
            "ua": ua,
            "matrix": matrix,
            "form": form,
            "registration": ua.registration,
            "unit": ua.unit,
            "statement": services.COUNTERSIGNATURE_STATEMENT,
        },
    )


def evidence_map(request, pk, evidence_pk):
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    item = get_object_or_404(selectors.candidate_evidence(registration), pk=evidence_pk)
    units = selectors.registration_units(registration)
    form = forms.MappingForm(request.POST or None, units=units, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.mapping_add(
                registration=registration,
                evidence=item,
                actor=request.user,
                criteria=form.cleaned_data["criteria"],
                requirements=form.cleaned_data["requirements"],
                method=form.cleaned_data["method"],
                setting=form.cleaned_data["setting"],
                location=form.cleaned_data["location"],
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                evidence_revision=form.cleaned_data["evidence_revision"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"“{item.title}” mapped.")
            return redirect("assessment:evidence_map", pk=registration.pk, evidence_pk=item.pk)
    mappings = list(
        item.mappings.filter(registration=registration).select_related(
            "criterion", "unit", "range_item", "requirement"
        )
    )
    facts = selectors.picker_facts(registration, units=units, with_requirements=True)
    # The units the candidate named for this evidence start open; without any, the units with gaps.
    named = {pk for pk in item.units.values_list("pk", flat=True)} & {u.pk for u in facts.units}
    groups = picker.picker_groups(
        facts,
        ticked=form["criteria"].value(),
        mapped={m.criterion_id for m in mappings},
        with_requirements=True,
        ticked_requirements=form["requirements"].value(),
        mapped_requirements={m.requirement_id for m in mappings},
        open_units=named or None,
    )
    return render(
        request,
        "assessment/evidence_map.html",
        {
            "referred_mappings": {m.mapping_id for m in hooks.marks_for([registration.pk]) if m.mapping_id},
            "registration": registration,
            "item": item,
            "form": form,
            "groups": groups,
            "mappings": mappings,
            "locked_units": facts.locked,
            "named_units": bool(named),
            "can_assess": permissions.can_map(request.user, registration),
        },
        status=400 if request.method == "POST" else 200,
    )


def criterion_detail(request, pk, criterion_pk):
    registration = _staff_registration(request, pk)
    units = selectors.registration_units(registration)
    criterion = get_object_or_404(
        AssessmentCriterion.objects.select_related("unit", "outcome"), pk=criterion_pk, unit__in=units
    )
    is_assessor = permissions.is_assessor_of(request.user, registration)
    evidence = selectors.candidate_evidence(registration).order_by("-created_at")
    form = forms.CriterionMappingForm(request.POST or None, evidence=evidence)
    if request.method == "POST":
        if not is_assessor:
            raise Http404
        seen = forms.parse_revisions(request.POST.get("evidence_revisions", ""))
        if form.is_valid():
            try:
                with transaction.atomic():  # several items: all of them or none
                    for item in form.cleaned_data["evidence"]:
                        if item.pk not in seen:
                            raise ValidationError(forms.PAGE_OUT_OF_DATE)
                        services.mapping_add(
                            registration=registration,
                            evidence=item,
                            actor=request.user,
                            criteria=[criterion],
                            method=form.cleaned_data["method"],
                            location=form.cleaned_data["location"],
                            setting=form.cleaned_data["setting"],
                            decision=form.cleaned_data["decision"],
                            reason=form.cleaned_data["reason"],
                            evidence_revision=seen[item.pk],
                        )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, f"Evidence added to {criterion.ref}.")
                return redirect("assessment:criterion_detail", pk=registration.pk, criterion_pk=criterion.pk)
    mappings = (
        EvidenceMapping.objects.filter(registration=registration, criterion=criterion)
        .select_related("evidence", "assessed_by")
        .order_by("evidence__created_at", "id")
    )  # the matrix's order: it lists the first
    ua = selectors.unit_assessment_for(registration, criterion.unit)
    marks = [m for m in hooks.marks_for([registration.pk]) if m.criterion_id == criterion.pk]
    return render(
        request,
        "assessment/criterion_detail.html",
        {
            "referrals": marks,
            "referred_mappings": {m.mapping_id for m in marks},
            "registration": registration,
            "criterion": criterion,
            "mappings": mappings,
            "form": form,
            "ua": ua,  # the template asks the assess_unit rule of it
            "evidence_revisions": forms.format_revisions(evidence),
        },
    )


def _mapping_for_assessor(request, mapping_pk):
    return get_object_or_404(
        EvidenceMapping.objects.filter(
            registration__in=selectors.registrations_assessed_by(request.user)
        ).select_related("registration", "unit"),
        pk=mapping_pk,
    )


def _back(request, mapping):
    target = request.POST.get("next", "")
    if target.startswith("/assessment/") and "//" not in target:
        return redirect(target)
    return redirect("assessment:unit_matrix", pk=mapping.registration_id, unit_pk=mapping.unit_id)


@require_POST
def mapping_decide(request, mapping_pk):
    mapping = _mapping_for_assessor(request, mapping_pk)
    form = forms.MappingDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose accepted or not yet.")
        services.mapping_decide(
            mapping=mapping,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Decision recorded.")
    return _back(request, mapping)


@require_POST
def mapping_remove(request, mapping_pk):
    mapping = _mapping_for_assessor(request, mapping_pk)
    try:
        services.mapping_remove(
            mapping=mapping, actor=request.user, expected_version=request.POST.get("version")
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Mapping removed.")
    return _back(request, mapping)


@csrf_exempt  # the upload is parsed (streamed, checked) first; CSRF is checked right after, before any change
def record_new(request, pk, kind):
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    if kind not in AssessmentRecord.Kind.values:
        raise Http404
    if (answer := _closed(request, registration)) is not None:
        return answer
    units = selectors.registration_units(registration)
    if request.method != "POST":
        return _record_page(request, registration, kind, forms.RecordForm(kind=kind, units=units))
    # The recording takes the candidates' upload path: streamed to disk, name and size checked as it arrives.
    parsed = parse_evidence_upload(request, field_name="recording")
    if parsed.aborted:
        form = forms.RecordForm(kind=kind, units=units)
        for error in parsed.errors:
            form.add_error(None, error)
        return _record_page(request, registration, kind, form, status=400)
    return csrf_protect(_record_post)(request, registration, kind, units, parsed)


def _record_post(request, registration, kind, units, parsed):
    form = forms.RecordForm(parsed.post, request.FILES, kind=kind, units=units)
    try:
        for error in parsed.errors:  # a recording refused while streaming (bad name, empty, too big)
            form.add_error("recording" if "recording" in form.fields else None, error)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.record_create(
                    registration=registration,
                    actor=request.user,
                    kind=kind,
                    date=data["date"],
                    place=data["place"],
                    description=data["description"],
                    questions_and_answers=data.get("questions_and_answers", ""),
                    criteria=data["criteria"],
                    recording=data.get("recording"),
                    setting=data["setting"],
                    token=data["token"],
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                if getattr(record, "resubmitted", False):
                    messages.info(request, ALREADY_SAVED.format(what=record.get_kind_display()))
                else:
                    messages.success(
                        request, f"{record.get_kind_display()} saved and mapped to its criteria."
                    )
                return redirect("assessment:registration_detail", pk=registration.pk)
    finally:
        for upload in parsed.files:
            upload.close()
    return _record_page(request, registration, kind, form, status=400)


def _record_page(request, registration, kind, form, status=200):
    facts = selectors.picker_facts(registration, units=form.units)
    return render(
        request,
        "assessment/record_form.html",
        {
            "registration": registration,
            "form": form,
            "kind_label": AssessmentRecord.Kind(kind).label,
            "here": f"New {AssessmentRecord.Kind(kind).label.lower()}",
            "groups": picker.picker_groups(
                facts, ticked=form["criteria"].value(), open_rule=picker.OPEN_NOT_SIGNED
            ),
        },
        status=status,
    )


def record_detail(request, record_pk):
    record = get_object_or_404(selectors.records_visible_to(request.user), pk=record_pk)
    return render(
        request,
        "assessment/record_detail.html",
        {
            "record": record,
            "criteria": record.criteria.select_related("unit"),
            "can_sign": permissions.can_sign_record(request.user, record),
        },
    )


@require_POST
def record_sign(request, record_pk):
    record = get_object_or_404(
        selectors.records_visible_to(request.user).filter(registration__candidate=request.user), pk=record_pk
    )
    try:
        services.record_candidate_sign(record=record, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "You signed the record.")
    return redirect("assessment:record_detail", record_pk=record.pk)


def action_plan_new(request, pk):
    """A new assessment plan; `?scan=N` starts it from that skills scan (its agreed actions, its low ratings)."""
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    if (answer := _closed(request, registration)) is not None:
        return answer
    units = selectors.registration_units(registration)
    scan_pk = request.POST.get("scan") or request.GET.get("scan")
    scan = get_object_or_404(registration.skills_scans, pk=scan_pk) if scan_pk else None
    initial_items = []
    if scan is not None and request.method != "POST":
        initial_items = [{"activity": scan.agreed_actions}] + [
            {
                "activity": f"Unit {r.unit.number} {r.unit.title}: plan evidence (rated {r.assessor_rating or r.candidate_rating})"
            }
            for r in scan.ratings.select_related("unit")
            if (r.assessor_rating or r.candidate_rating or 3) == 1
        ]
    form = forms.ActionPlanForm(request.POST or None, units=units)
    formset = forms.ActionPlanItemFormSet(
        request.POST or None, form_kwargs={"units": units}, prefix="items", initial=initial_items or None
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [
            (
                f.cleaned_data.get("activity", ""),
                f.cleaned_data.get("target_date"),
                f.cleaned_data.get("criteria") or [],
            )
            for f in formset.forms
            if f.cleaned_data
        ]
        data = form.cleaned_data
        try:
            plan = services.action_plan_create(
                registration=registration,
                actor=request.user,
                items=items,
                review_date=data["review_date"],
                unit=data["unit"],
                venue=data["venue"],
                scheduled_at=data["scheduled_at"],
                methods=data["methods"],
                skills_scan=scan,
                token=data["token"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            if getattr(plan, "resubmitted", False):
                messages.info(request, ALREADY_SAVED.format(what="This assessment plan"))
            else:
                messages.success(request, "Assessment plan saved: the candidate can now agree it.")
            return redirect("assessment:action_plan_detail", plan_pk=plan.pk)
    facts = selectors.picker_facts(registration, units=units)
    items = [
        (f, picker.picker_groups(facts, ticked=f["criteria"].value(), disable_locked=False)) for f in formset
    ]
    return render(
        request,
        "assessment/action_plan_form.html",
        {"registration": registration, "form": form, "formset": formset, "items": items, "scan": scan},
    )


def action_plan_detail(request, plan_pk):
    plan = get_object_or_404(
        selectors.action_plans_visible_to(request.user).select_related(
            "registration__candidate", "registration__qualification", "created_by", "unit", "skills_scan"
        ),
        pk=plan_pk,
    )
    registration = plan.registration
    review_form = forms.PlanReviewForm(request.POST or None)
    can_review = permissions.can_map(request.user, registration)
    if request.method == "POST":
        if not can_review:
            raise Http404
        if review_form.is_valid():
            try:
                services.action_plan_review(plan=plan, actor=request.user, **review_form.cleaned_data)
            except ValidationError as exc:
                review_form.add_error(None, _error_text(exc))
            else:
                messages.success(request, "Review recorded.")
                return redirect("assessment:action_plan_detail", plan_pk=plan.pk)
    reviews = list(plan.reviews.select_related("reviewed_by"))
    return render(
        request,
        "assessment/action_plan_detail.html",
        {
            "plan": plan,
            "registration": registration,
            "reviews": reviews,
            "next_review": plan.next_review(reviews),
            "items": plan.items.prefetch_related("criteria__unit"),
            "review_form": review_form,
            "can_review": can_review,
            "can_agree": permissions.can_agree_plan(request.user, plan),
        },
    )


# --- skills scan ------------------------------------------------------------------------------------
def skills_scan_new(request, pk):
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    if (answer := _closed(request, registration)) is not None:
        return answer
    form = forms.SkillsScanForm(request.POST or None, units=selectors.registration_units(registration))
    if request.method == "POST" and form.is_valid():
        try:
            scan = services.skills_scan_create(
                registration=registration,
                actor=request.user,
                ratings=form.ratings(),
                agreed_actions=form.cleaned_data["agreed_actions"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Skills scan saved: the candidate can now agree it.")
            return redirect("assessment:skills_scan_detail", scan_pk=scan.pk)
    return render(request, "assessment/skills_scan_form.html", {"registration": registration, "form": form})


def skills_scan_detail(request, scan_pk):
    scan = get_object_or_404(selectors.skills_scans_visible_to(request.user), pk=scan_pk)
    registration = scan.registration
    if request.method == "POST":
        if registration.candidate_id != request.user.pk:
            raise Http404
        try:
            services.skills_scan_agree(scan=scan, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "You agreed the skills scan.")
        return redirect("assessment:skills_scan_detail", scan_pk=scan.pk)
    return render(
        request,
        "assessment/skills_scan_detail.html",
        {
            "scan": scan,
            "registration": registration,
            "ratings": scan.ratings.select_related("unit"),
            "plans": scan.plans.all(),
            "can_plan": permissions.can_map(request.user, registration),
            "can_agree": permissions.can_agree_skills_scan(request.user, scan),
        },
    )


# --- assessment report ------------------------------------------------------------------------------
def assessment_report_new(request, pk):
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    if (answer := _closed(request, registration)) is not None:
        return answer
    form = forms.AssessmentReportForm(request.POST or None, units=selectors.registration_units(registration))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.assessment_report_create(
                registration=registration,
                actor=request.user,
                unit=data["unit"],
                date=data["date"],
                answers=form.answers(),
                outcome=data["outcome"],
                comments=data["comments"],
                questions=data["questions"],
                candidate_answers=data["candidate_answers"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Assessment report saved: the candidate can now sign it.")
            return redirect("assessment:assessment_report_detail", report_pk=report.pk)
    return render(
        request, "assessment/assessment_report_form.html", {"registration": registration, "form": form}
    )


def assessment_report_detail(request, report_pk):
    report = get_object_or_404(selectors.assessment_reports_visible_to(request.user), pk=report_pk)
    registration = report.registration
    if request.method == "POST":
        if registration.candidate_id != request.user.pk:
            raise Http404
        try:
            services.assessment_report_sign(report=report, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "You signed the assessment report.")
        return redirect("assessment:assessment_report_detail", report_pk=report.pk)
    return render(
        request,
        "assessment/assessment_report_detail.html",
        {
            "report": report,
            "registration": registration,
            "can_sign": permissions.can_sign_report(request.user, report),
        },
    )


def feedback_new(request, pk):
    registration = _registration(request, pk, selectors.registrations_assessed_by(request.user))
    if (answer := _closed(request, registration)) is not None:
        return answer
    units = selectors.registration_units(registration)
    form = forms.FeedbackForm(request.POST or None, units=units, initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.feedback_give(
                registration=registration,
                actor=request.user,
                text=form.cleaned_data["text"],
                unit=form.cleaned_data["unit"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            if getattr(feedback, "resubmitted", False):
                messages.info(request, ALREADY_SAVED.format(what="This feedback"))
            else:
                messages.success(request, "Feedback sent to the candidate.")
            return redirect("assessment:registration_detail", pk=registration.pk)
    unit = next(
        (u for u in units if str(u.pk) == (request.GET.get("unit") or request.POST.get("unit"))), None
    )
    return render(
        request, "assessment/feedback_form.html", {"registration": registration, "form": form, "unit": unit}
    )


# --- centre admin -----------------------------------------------------------------------------------
def registration_list(request):
    query = forms.RegistrationListQuery(request.GET)
    page = page_of(request, query.apply(selectors.registrations_administered_by(request.user)))
    return render(request, "assessment/registration_list.html", {"page": page, "query": query})


def _choice_context(form, qualification, chosen=None):
    """The units under their group headings with the ticks, and the running tally of the ticked ones."""
    if chosen is None:
        chosen = _ticked_units(form)
    ticked = {u.pk for u in chosen}
    return {
        "unit_groups": selectors.registration_unit_groups(qualification),
        "ticked": ticked,
        "tally": selectors.choice_tally(qualification, chosen),
        "not_assessable_note": selectors.NOT_ASSESSABLE_NOTE,
    }


def _ticked_units(form):
    values = form["optional_units"].value() or []
    pks = [getattr(v, "pk", v) for v in values]
    return list(
        form.fields["optional_units"].queryset.filter(pk__in=[int(p) for p in pks if str(p).isdigit()])
    )


def _recalculate(request, form_class, route_qualification, context, **form_kwargs):
    """ "Update the tally" and "Suggest a route" show the page again with the ticks (nothing is saved, and the
    other fields need not be filled in yet); "Suggest a route" ticks the planner's units too."""
    bound = form_class(request.POST, **form_kwargs)
    chosen = _ticked_units(bound)
    if "suggest" in request.POST:
        route = services.suggested_route(route_qualification, chosen)
        context["route"] = route
        if route.feasible:
            chosen += list(Unit.objects.filter(ref__in=[a.ref for a in route.add if a.status == "optional"]))
    initial = {name: request.POST.get(name) for name in bound.fields if name != "optional_units"}
    context["form"] = form_class(initial={**form_kwargs.pop("initial", {}), **initial}, **form_kwargs)
    return chosen


def _incomplete_warning(request, registration):
    tally = selectors.registration_choice(registration)
    if not tally.complete:
        messages.warning(
            request,
            "The choice of units is not complete yet: units still to be chosen. "
            + " ".join(m[0].upper() + m[1:] + "." for m in tally.still_to_choose),
        )


def registration_new(request):
    code = request.GET.get("qualification") or request.POST.get("qualification")
    qualification = Qualification.objects.filter(code=code).first() if code else None
    if qualification is None:
        return render(
            request, "assessment/registration_choose.html", {"qualifications": Qualification.objects.all()}
        )
    form = forms.RegistrationForm(request.POST or None, user=request.user, qualification=qualification)
    conditions_form = forms.EntryConditionsForm(request.POST or None, qualification=qualification)
    context = {"form": form, "qualification": qualification, "conditions_form": conditions_form}
    chosen = None
    if request.method == "POST" and ("suggest" in request.POST or "tally" in request.POST):
        chosen = _recalculate(
            request,
            forms.RegistrationForm,
            qualification,
            context,
            user=request.user,
            qualification=qualification,
        )
        form = context["form"]
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                actor=request.user,
                centre=data["centre"],
                candidate=data["candidate"],
                qualification=qualification,
                assessor=data["assessor"],
                internal_verifier=data["internal_verifier"],
                registered_on=data["registered_on"],
                expires_on=data["expires_on"],
                optional_units=data["optional_units"],
                candidate_number=data["candidate_number"],
                entry_conditions_confirmed=conditions_form.confirmed_keys(),
            )
        except services.SelectionRefused as exc:
            # Once, beside the units: the tally names the broken rules, the suggested route only when one exists.
            chosen = list(data["optional_units"])
            form.add_error(
                "optional_units", services.SELECTION_REFUSED_SEE_TALLY.format(qualification=exc.qualification)
            )
            route = services.suggested_route(qualification, chosen)
            if route.feasible:
                context["route"] = route
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
            chosen = list(data["optional_units"])
        else:
            messages.success(request, f"{registration.candidate} registered on {qualification.code}.")
            _incomplete_warning(request, registration)
            return redirect("assessment:registration_detail", pk=registration.pk)
    context.update(_choice_context(form, qualification, chosen))
    return render(request, "assessment/registration_form.html", context)


def registration_edit(request, pk):
    registration = _registration(request, pk, selectors.registrations_administered_by(request.user))
    if (answer := _closed(request, registration)) is not None:
        return answer
    initial = {
        "assessor": registration.assessor,
        "internal_verifier": registration.internal_verifier,
        "expires_on": registration.expires_on,
        "candidate_number": registration.candidate_number,
        "optional_units": list(registration.optional_units.all()),
    }
    form = forms.RegistrationForm(
        request.POST or None,
        user=request.user,
        qualification=registration.qualification,
        registration=registration,
        initial=initial,
    )
    context = {"form": form, "qualification": registration.qualification, "registration": registration}
    chosen = None
    if request.method == "POST" and ("suggest" in request.POST or "tally" in request.POST):
        chosen = _recalculate(
            request,
            forms.RegistrationForm,
            registration.qualification,
            context,
            user=request.user,
            qualification=registration.qualification,
            registration=registration,
            initial=initial,
        )
        form = context["form"]
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_update(
                registration=registration,
                actor=request.user,
                assessor=data["assessor"],
                internal_verifier=data["internal_verifier"],
                optional_units=data["optional_units"],
                expires_on=data["expires_on"],
                candidate_number=data["candidate_number"],
            )
        except services.SelectionRefused as exc:
            chosen = list(data["optional_units"])
            form.add_error(
                "optional_units", services.SELECTION_REFUSED_SEE_TALLY.format(qualification=exc.qualification)
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Registration updated.")
            _incomplete_warning(request, registration)
            return redirect("assessment:registration_detail", pk=registration.pk)
    context.update(_choice_context(form, registration.qualification, chosen))
    return render(request, "assessment/registration_form.html", context)


@require_POST
def registration_extend(request, pk):
    """A centre admin extends the registration's end with a reason (audited)."""
    registration = _registration(request, pk, selectors.registrations_administered_by(request.user))
    form = forms.RegistrationExtensionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give the new end date and the reason for the extension.")
        services.registration_extend(
            registration=registration,
            actor=request.user,
            new_expires_on=form.cleaned_data["new_expires_on"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Registration extended to {form.cleaned_data['new_expires_on']:{DATE}}.")
    return redirect("assessment:registration_detail", pk=registration.pk)


def date_extensions(request):
    """The awarding body's extensions of last registration / certification dates, recorded by a centre admin."""
    form = forms.AwardingBodyExtensionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.awarding_body_extension_record(
                centre=data["centre"],
                qualification=data["qualification"],
                actor=request.user,
                kind=data["kind"],
                reference=data["reference"],
                new_date=data["new_date"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Extension recorded.")
            return redirect("assessment:date_extensions")
    return render(
        request,
        "assessment/date_extensions.html",
        {
            "form": form,
            "extensions": selectors.date_extensions_visible_to(request.user),
            "qualifications": Qualification.objects.exclude(
                last_registration_date=None, last_certification_date=None
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- candidate --------------------------------------------------------------------------------------
def progress(request):
    registrations = list(selectors.registrations_of_candidate(request.user))
    if len(registrations) == 1:
        return redirect("assessment:progress_detail", pk=registrations[0].pk)
    return render(request, "assessment/progress_list.html", {"registrations": registrations})


def progress_detail(request, pk):
    registration = _registration(request, pk, selectors.registrations_of_candidate(request.user))
    progress_rows = selectors.candidate_progress(registration)
    return render(
        request,
        "assessment/progress_detail.html",
        {
            "registration": registration,
            "progress": progress_rows,
            "route": _planner(registration, progress_rows),
            "feedback": selectors.feedback_for(registration),
            "plans": registration.action_plans.prefetch_related("items__criteria__unit"),
            "skills_scans": registration.skills_scans.all(),
            "reports": registration.assessment_reports.select_related("unit"),
            "records": registration.records.select_related("assessor"),
            "not_yet": selectors.latest_not_yet(registration),
            "not_yet_total": sum(p.not_yet for p in progress_rows),
        },
    )


def authenticity_sign(request, pk, unit_pk):
    registration = _registration(request, pk, selectors.registrations_of_candidate(request.user))
    unit = _unit(registration, unit_pk)
    ua = selectors.unit_assessment_for(registration, unit)
    if request.method == "POST":
        ua = services.unit_assessment_ensure(registration=registration, unit=unit)
        try:
            services.authenticity_sign(
                unit_assessment=ua, actor=request.user, client_ip=request.META.get("REMOTE_ADDR")
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"You signed the authenticity statement for unit {unit.number}.")
        return redirect("assessment:progress_detail", pk=registration.pk)
    return render(
        request,
        "assessment/authenticity.html",
        {
            "registration": registration,
            "unit": unit,
            "ua": ua,
            "statement": services.AUTHENTICITY_STATEMENT,
        },
    )


@require_POST
def action_plan_agree(request, plan_pk):
    plan = get_object_or_404(
        selectors.action_plans_visible_to(request.user).filter(registration__candidate=request.user),
        pk=plan_pk,
    )
    try:
        services.action_plan_agree(plan=plan, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "You agreed the action plan.")
    return redirect(reverse("assessment:progress_detail", args=[plan.registration_id]) + "#action-plans")


def registration_status(request, pk):
    """A centre admin withdraws a candidate (with a reason) or reinstates a withdrawn one within the
    registration period. GET: the page with the button the registration's status allows; POST: the change."""
    registration = _registration(request, pk, selectors.registrations_administered_by(request.user))
    if request.method == "POST":
        action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
        try:
            if action == "withdraw":
                services.registration_withdraw(registration=registration, actor=request.user, reason=reason)
                messages.success(request, f"{registration.candidate} is withdrawn.")
            elif action == "reinstate":
                services.registration_reinstate(registration=registration, actor=request.user, reason=reason)
                messages.success(request, f"{registration.candidate} is reinstated.")
            else:
                raise ValidationError(services.BAD_STATUS_ACTION)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            return redirect("assessment:registration_detail", pk=registration.pk)
        registration.refresh_from_db()
    return render(
        request,
        "assessment/registration_status.html",
        {
            "registration": registration,
            "may_withdraw": "withdrawn" in registration.TRANSITIONS[registration.status],
            "may_reinstate": "active" in registration.TRANSITIONS[registration.status],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the employer's confirmation on the summary of unit achievement -------------------------------------------
@require_POST
def employer_confirmation_request(request, pk):
    """The assessor (or a centre admin) emails the employer a link to confirm the summary."""
    registration = _staff_registration(request, pk)
    form = forms.EmployerRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, employer.ERR_NAME_EMAIL)
    else:
        data = form.cleaned_data
        try:
            confirmation, _ = employer.employer_confirmation_request(
                registration=registration,
                actor=request.user,
                employer_name=data["employer_name"],
                email=data["email"],
                organisation=data["organisation"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                f"Emailed {confirmation.employer_name} ({confirmation.email}) a link to "
                f"confirm the summary of unit achievement.",
            )
    return redirect(
        reverse("assessment:registration_detail", args=[registration.pk]) + "#employer-confirmation"
    )


@require_http_methods(["GET", "POST"])
def employer_confirm(request, token):
    """The employer's page (no account): the candidate, the qualification and the units asked about, nothing
    else; confirm with name, job title and the logbook's statement, or decline."""
    if links.rate_limited(request):
        return links.refused_page(request, links.RATE_LIMITED, status=429)
    try:
        confirmation = employer.request_for_token(token)
    except links.LinkRefused as exc:
        return links.refused_page(request, str(exc))
    form = forms.EmployerConfirmForm(request.POST or None, initial={"name": confirmation.employer_name})
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "decline" in request.POST:
                employer.employer_decline(
                    token=token, reason=data["reason"], client_ip=links.client_ip(request)
                )
                return links.link_page(request, "assessment/employer_done.html", {"declined": True})
            done = employer.employer_confirm(
                token=token,
                name=data["name"],
                job_title=data["job_title"],
                declared=data["declaration"],
                client_ip=links.client_ip(request),
            )
            return links.link_page(request, "assessment/employer_done.html", {"confirmation": done})
        except links.LinkRefused as exc:
            return links.refused_page(request, str(exc))
        except ValidationError as exc:
            errors = exc.messages
    registration = confirmation.registration
    return links.link_page(
        request,
        "assessment/employer_confirm.html",
        {
            "form": form,
            "errors": errors,
            "confirmation": confirmation,
            "registration": registration,
            "candidate_name": registration.candidate.get_full_name() or registration.candidate.get_username(),
            "units": employer.confirmation_content(confirmation)["units"],
            "expires_at": confirmation.expires_at,
        },
        status=400 if errors else 200,
    )
