from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:centre_pk>/", views.person_list, name="list"),
    path("<int:centre_pk>/candidates.json", views.candidate_suggest, name="candidate_suggest"),
    path("<int:centre_pk>/new/", views.person_create, name="create"),
    path("<int:centre_pk>/add-existing/", views.person_add_existing, name="add_existing"),
    path("<int:centre_pk>/<int:pk>/", views.person_detail, name="detail"),
    path("<int:centre_pk>/<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:centre_pk>/<int:pk>/roles/add/", views.role_add, name="role_add"),
    path("<int:centre_pk>/<int:pk>/roles/revoke/", views.role_revoke, name="role_revoke"),
    path("<int:centre_pk>/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:centre_pk>/<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:centre_pk>/<int:pk>/invitation/resend/", views.invitation_resend, name="invitation_resend"),
    path("<int:centre_pk>/<int:pk>/invitation/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
