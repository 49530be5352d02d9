from django.urls import path

from . import competence_views

app_name = "ev_competence"

urlpatterns = [
    path("registration/<int:pk>/staff/<int:person_pk>/", competence_views.ev_staff_competence, name="staff"),
]
