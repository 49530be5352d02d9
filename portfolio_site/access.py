"""The access table: every URL name, and who may reach it. Deny by default.

A URL whose name is not in ACCESS answers 404 to everyone, and tests/test_access_table.py fails the
suite, so a new URL cannot ship without a decision here. Role checks happen here, per endpoint;
*which objects* a person may see is decided only by the selectors' `*_visible_to(user)` querysets,
which answer 404 for objects that exist but are not yours.
"""

from django.http import Http404
from django.shortcuts import redirect

from accounts.models import Role

PUBLIC = "public"  # anyone, signed in or not
AUTHENTICATED = "authenticated"  # anyone signed in
STAFF = "staff"  # Django admin: is_staff users; the admin checks its own model permissions
API_TOKEN = "api_token"  # the MIS API: no session role; the view authenticates its bearer token and scope

CANDIDATE = Role.CANDIDATE.value
ASSESSOR = Role.ASSESSOR.value
IV = Role.INTERNAL_VERIFIER.value
ADMIN = Role.CENTRE_ADMIN.value
EV = Role.EXTERNAL_VERIFIER.value
CENTRE_STAFF = frozenset({ASSESSOR, IV, ADMIN})
CENTRE_PEOPLE = frozenset({CANDIDATE, ASSESSOR, IV, ADMIN})

ACCESS: dict[str, frozenset[str]] = {
    # --- foundation ---
    "home": frozenset({AUTHENTICATED}),
    "healthz": frozenset({PUBLIC}),
    "accounts:login": frozenset({PUBLIC}),
    "accounts:logout": frozenset({AUTHENTICATED}),
    "accounts:password_change": frozenset({AUTHENTICATED}),
    "accounts:two_factor_setup": frozenset({ASSESSOR, IV, ADMIN, EV}),  # every staff role
    "accounts:two_factor_verify": frozenset({AUTHENTICATED}),
    "accounts:password_change_done": frozenset({AUTHENTICATED}),
    "accounts:password_reset": frozenset({PUBLIC}),
    "accounts:password_reset_done": frozenset({PUBLIC}),
    "accounts:password_reset_confirm": frozenset({PUBLIC}),
    "accounts:password_reset_complete": frozenset({PUBLIC}),
    "accounts:notifications": frozenset({AUTHENTICATED}),
    "dashboards:candidate": frozenset({CANDIDATE}),
    "dashboards:assessor": frozenset({ASSESSOR}),
    "dashboards:internal_verifier": frozenset({IV}),
    "dashboards:centre_admin": frozenset({ADMIN}),
    "dashboards:external_verifier": frozenset({EV}),
    "admin:*": frozenset({STAFF}),
    # --- people (which centre: accounts.people.selectors.centre_for_admin, 404 for another centre's) ---
    "invitations:accept": frozenset({PUBLIC}),  # the emailed link; the token decides
    "invitations:request_new": frozenset({PUBLIC}),
    "people:index": frozenset({ADMIN}),
    "people:list": frozenset({ADMIN}),
    "people:candidate_suggest": frozenset({ADMIN}),
    "people:create": frozenset({ADMIN}),
    "people:add_existing": frozenset({ADMIN}),
    "people:detail": frozenset({ADMIN}),
    "people:edit": frozenset({ADMIN}),
    "people:role_add": frozenset({ADMIN}),
    "people:role_revoke": frozenset({ADMIN}),
    "people:deactivate": frozenset({ADMIN}),
    "people:reactivate": frozenset({ADMIN}),
    "people:invitation_resend": frozenset({ADMIN}),
    "people:invitation_revoke": frozenset({ADMIN}),
    "people_import:upload": frozenset({ADMIN}),
    "people_import:export": frozenset({ADMIN}),
    # --- staff competence (which centre: accounts.competence.selectors.competence_centre_for) ---
    "competence:index": frozenset({IV, ADMIN}),
    "competence:overview": frozenset({IV, ADMIN}),
    "competence:staff": frozenset({IV, ADMIN}),
    "competence:meeting_new": frozenset({ADMIN}),
    "competence:qualification_add": frozenset({ADMIN}),
    "competence:statement_set": frozenset({ADMIN}),
    "competence:cpd_add": frozenset({ADMIN}),
    "competence:trainee_set": frozenset({ADMIN}),
    "ev_competence:staff": frozenset({EV}),  # the assessor / IV of a granted registration only (logged)
    # which signatures: portfolio_site.signatures.signatures_visible_to (the same 404 for unknown and not yours)
    "signature_verify": CENTRE_STAFF | {EV},
    # --- qualifications (catalogue) ---
    "qualifications:list": CENTRE_PEOPLE | {EV},
    "qualifications:search": CENTRE_PEOPLE | {EV},
    "qualifications:detail": CENTRE_PEOPLE | {EV},
    "qualifications:unit": CENTRE_PEOPLE | {EV},
    # --- evidence --- (which items: evidence.selectors.evidence_visible_to; EV sees only granted candidates)
    "evidence:list": frozenset({CANDIDATE}),
    "evidence:upload": frozenset({CANDIDATE}),
    "evidence:statement_new": frozenset({CANDIDATE}),
    "evidence:detail": CENTRE_PEOPLE | {EV},
    "evidence:download": CENTRE_PEOPLE | {EV},
    "evidence:preview": CENTRE_PEOPLE | {EV},
    "evidence:edit": frozenset({CANDIDATE}),
    "evidence:delete": frozenset({CANDIDATE}),
    "evidence:correct": frozenset({CANDIDATE}),
    "evidence:witness_list": frozenset({CANDIDATE}),
    "evidence:witness_new": frozenset({CANDIDATE}),
    "evidence:witness_edit": frozenset({CANDIDATE}),
    "evidence:testimony_new": frozenset({CANDIDATE}),
    "evidence:registration_witnesses": frozenset({ASSESSOR, IV, ADMIN}),  # staff_registrations_visible_to
    "evidence:witness_status_decide": frozenset(
        {ASSESSOR}
    ),  # the registration's assessor (the service checks)
    "evidence:testimony_request": CENTRE_PEOPLE,  # evidence_visible_to; the service checks candidate or staff
    # the witness has no account: the link's token is the key (single use, expiring, rate-limited)
    "evidence:witness_confirm": frozenset({PUBLIC}),
    # --- assessment ---
    "assessment:registration_list": frozenset({ADMIN}),
    "assessment:registration_new": frozenset({ADMIN}),
    "assessment:registration_edit": frozenset({ADMIN}),
    "assessment:registration_extend": frozenset({ADMIN}),
    "assessment:date_extensions": frozenset({ADMIN}),
    "assessment:unit_reopen": frozenset({ADMIN}),
    "assessment:registration_status": frozenset({ADMIN}),
    "assessment:caseload": frozenset({ASSESSOR}),
    "assessment:registration_detail": frozenset({ASSESSOR, IV, ADMIN}),
    "assessment:employer_confirmation_request": frozenset({ASSESSOR, ADMIN}),  # the service checks which
    # the employer has no account: the link's token is the key (single use, expiring, rate-limited)
    "assessment:employer_confirm": frozenset({PUBLIC}),
    "assessment:unit_matrix": frozenset({ASSESSOR, IV, ADMIN}),
    "assessment:criterion_detail": frozenset({ASSESSOR, IV, ADMIN}),
    "assessment:unit_sign": frozenset({ASSESSOR}),
    "assessment:evidence_map": frozenset({ASSESSOR}),
    "assessment:mapping_decide": frozenset({ASSESSOR}),
    "assessment:mapping_remove": frozenset({ASSESSOR}),
    "assessment:countersign_queue": frozenset({ASSESSOR}),
    "assessment:unit_countersign": frozenset({ASSESSOR}),
    "assessment:record_new": frozenset({ASSESSOR}),
    "assessment:action_plan_new": frozenset({ASSESSOR}),
    "assessment:feedback_new": frozenset({ASSESSOR}),
    "assessment:record_detail": frozenset({CANDIDATE, ASSESSOR, IV, ADMIN}),
    "assessment:progress": frozenset({CANDIDATE}),
    "assessment:progress_detail": frozenset({CANDIDATE}),
    "assessment:authenticity_sign": frozenset({CANDIDATE}),
    "assessment:record_sign": frozenset({CANDIDATE}),
    "assessment:action_plan_agree": frozenset({CANDIDATE}),
    "assessment:action_plan_detail": frozenset({CANDIDATE, ASSESSOR, IV, ADMIN}),
    "assessment:skills_scan_new": frozenset({ASSESSOR}),
    "assessment:skills_scan_detail": frozenset({CANDIDATE, ASSESSOR, IV, ADMIN}),
    "assessment:assessment_report_new": frozenset({ASSESSOR}),
    "assessment:assessment_report_detail": frozenset({CANDIDATE, ASSESSOR, IV, ADMIN}),
    # --- verification ---
    "verification:plan_list": frozenset({IV, ADMIN}),
    "verification:plan_create": frozenset({IV, ADMIN}),
    "verification:plan_detail": frozenset({IV, ADMIN}),
    "verification:sample_accept": frozenset({IV}),
    "verification:sample_generate": frozenset({IV}),
    "verification:item_detail": frozenset({IV, ADMIN}),
    "verification:item_decide": frozenset({IV}),
    "verification:mapping_decide": frozenset({IV}),
    "verification:referral_list": frozenset({IV, ADMIN}),
    "verification:referral_close": frozenset({IV}),
    "verification:flag_list": frozenset({IV, ADMIN}),
    "verification:site_list": frozenset({IV, ADMIN}),
    "verification:grant_list": frozenset({ADMIN}),
    "verification:grant_create": frozenset({ADMIN}),
    "verification:grant_revoke": frozenset({ADMIN}),
    "verification:grant_log": frozenset({ADMIN}),
    "verification:ev_home": frozenset({EV}),
    "verification:ev_registration": frozenset({EV}),
    "verification:ev_unit": frozenset({EV}),
    "verification:ev_form": frozenset({EV}),  # the EV's only way to the printed forms (granted, logged)
    "verification:ev_unit_form": frozenset({EV}),
    "verification:claim_list": frozenset({ADMIN}),
    "verification:claim_submit": frozenset({ADMIN}),
    "verification:claim_export": frozenset({ADMIN}),
    "verification:claim_cancel": frozenset({ADMIN}),
    "verification:assessor_referrals": frozenset({ASSESSOR}),
    "verification:referral_answer": frozenset({ASSESSOR}),
    "verification:referral_send_back": frozenset({IV}),
    # --- printing ---
    # Which registration / qualification: registrations_visible_to / qualifications_visible_to (404).
    "printing:index": CENTRE_PEOPLE,
    "printing:qualification": CENTRE_STAFF,
    "printing:blank": CENTRE_STAFF,
    "printing:blank_unit": CENTRE_STAFF,
    "printing:registration": CENTRE_PEOPLE,
    "printing:completed": CENTRE_PEOPLE,
    "printing:completed_unit": CENTRE_PEOPLE,
    "printing:batch_create": frozenset({ADMIN}),
    "printing:job": frozenset({ADMIN}),
    "printing:job_status": frozenset({ADMIN}),
    "printing:job_download": frozenset({ADMIN}),
    # --- portability --- (which registration / credential: portability.selectors)
    "portability:centre_key": frozenset({PUBLIC}),
    "portability:credential_status": frozenset({PUBLIC}),
    "portability:credential_verify": frozenset({PUBLIC}),
    "portability:passport_export": frozenset({ADMIN}),
    "portability:passport_verify": frozenset({ADMIN, EV}),
    "portability:passport_import": frozenset({ADMIN}),
    "portability:provenance": frozenset({ASSESSOR, IV, ADMIN}),
    "portability:prior_unit_decide": frozenset({ASSESSOR}),
    "portability:credential_list": frozenset({CANDIDATE, ADMIN}),
    "portability:credential_download": frozenset({CANDIDATE, ADMIN}),
    "portability:credentials_issue": frozenset({ADMIN}),
    "portability:credential_revoke": frozenset({ADMIN}),
    "portability:credential_email": frozenset({ADMIN}),
    # --- MIS API --- (no session role: every endpoint authenticates its bearer token and checks its scope
    # and centre, in api/authentication.py and api/permissions.py; the schema and docs are public)
    "api:people": frozenset({API_TOKEN}),
    "api:registrations": frozenset({API_TOKEN}),
    "api:progress": frozenset({API_TOKEN}),
    "api:claims": frozenset({API_TOKEN}),
    "api:schema": frozenset({PUBLIC}),
    "api:docs": frozenset({PUBLIC}),
    "api:redoc": frozenset({PUBLIC}),
    "api:token_list": frozenset({ADMIN}),
    "api:token_revoke": frozenset({ADMIN}),
}


def rule_for(url_name: str | None, namespace: str | None = None) -> frozenset[str] | None:
    if url_name is None:
        return None
    if url_name in ACCESS:
        return ACCESS[url_name]
    if namespace and f"{namespace.split(':')[0]}:*" in ACCESS:
        return ACCESS[f"{namespace.split(':')[0]}:*"]
    return None


def permits(rule: frozenset[str], roles, *, authenticated: bool = True, staff: bool = False) -> bool:
    """Does `rule` (an ACCESS value) let in someone holding `roles`? The one answer the middleware and the
    navigation (portfolio_site.navigation) both use."""
    if PUBLIC in rule or API_TOKEN in rule:
        return True
    if not authenticated:
        return False
    if AUTHENTICATED in rule:
        return True
    if STAFF in rule and staff:
        return True
    return bool(set(roles) & rule)


def allowed(url_name: str, roles, *, authenticated: bool = True, staff: bool = False) -> bool:
    """May someone signed in holding `roles` reach the URL named `url_name`? Deny for a name not in ACCESS."""
    rule = rule_for(url_name, url_name.rpartition(":")[0] or None)
    return rule is not None and permits(rule, roles, authenticated=authenticated, staff=staff)


def may_reach(user, allowed: frozenset[str]) -> bool:
    return permits(
        allowed,
        user.role_set if user.is_authenticated else (),
        authenticated=user.is_authenticated,
        staff=user.is_staff,
    )


class AccessControlMiddleware:
    """Applies ACCESS to every view. Unknown URL names and roles that may not reach a URL get 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        rule = rule_for(match.view_name if match else None, match.namespace if match else None)
        if rule is None:
            raise Http404("No access rule for this page.")
        if PUBLIC in rule or API_TOKEN in rule:
            return None
        if not request.user.is_authenticated:
            if STAFF in rule:
                return None  # the admin shows its own login page
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not may_reach(request.user, rule):
            if STAFF in rule:
                return redirect("home")
            raise Http404("Not found.")
        return None
