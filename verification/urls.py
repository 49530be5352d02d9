from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/sample/", views.sample_accept, name="sample_accept"),
    path("plans/<int:pk>/generate/", views.sample_generate, name="sample_generate"),
    path("sampled/<int:pk>/", views.item_detail, name="item_detail"),
    path("sampled/<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("sampled/<int:pk>/decisions/<int:mapping_pk>/decide/", views.mapping_decide, name="mapping_decide"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("assessor-flags/", views.flag_list, name="flag_list"),
    path("sites/", views.site_list, name="site_list"),
    path("external-access/", views.grant_list, name="grant_list"),
    path("external-access/new/", views.grant_create, name="grant_create"),
    path("external-access/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("external-access/<int:pk>/log/", views.grant_log, name="grant_log"),
    path("ev/", views.ev_home, name="ev_home"),
    path("ev/registrations/<int:pk>/", views.ev_registration, name="ev_registration"),
    path("ev/registrations/<int:pk>/units/<int:unit_pk>/", views.ev_unit, name="ev_unit"),
    path("ev/registrations/<int:pk>/forms/<slug:slug>.pdf", views.ev_form, name="ev_form"),
    path(
        "ev/registrations/<int:pk>/units/<int:unit_pk>/recording-form.pdf",
        views.ev_unit_form,
        name="ev_unit_form",
    ),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/claim/", views.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/cancel/", views.claim_cancel, name="claim_cancel"),
    path("referrals/mine/", views.assessor_referral_list, name="assessor_referrals"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral_answer"),
    path("referrals/<int:pk>/send-back/", views.referral_send_back, name="referral_send_back"),
    path("claims/export.csv", views.claim_export, name="claim_export"),
]
