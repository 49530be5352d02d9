"""Who tells the sampling pool's summary rows that they may be out of date (selectors/summary.py).

Connected in VerificationConfig.ready(). Every receiver runs inside the transaction that made the change and
marks the registration stale in each plan of its centre and qualification (one INSERT ... SELECT); a saved plan
is rebuilt in full at its next read. Writes that bypass post_save (the conditional status UPDATEs of
assessment.services.transitions) send assessment.signals.registrations_changed instead; verification's own bulk
insert of sample items marks its registrations itself (services.sample_accept). A bulk load that bypasses both
(bench/bench_centre.py, a restore) calls selectors.summary.rebuild_later() or `manage.py rebuild_sampling_pool`.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from assessment.models import EvidenceMapping, Registration, UnitAssessment
from assessment.signals import registrations_changed

from .models import CandidateSite, SampleItem, SamplingPlan
from .selectors import summary


def _by_registration(sender, instance, **kwargs):
    summary.mark_stale([instance.registration_id])


def _registration_saved(sender, instance, **kwargs):
    summary.mark_stale([instance.pk])


def _sample_item(sender, instance, **kwargs):
    summary.mark_stale_unit_assessments([instance.unit_assessment_id])


def _plan_saved(sender, instance, **kwargs):
    summary.rebuild_later([instance.pk])


def _changed(sender, registration_ids, **kwargs):
    summary.mark_stale(registration_ids)


def connect() -> None:
    for model in (UnitAssessment, EvidenceMapping, CandidateSite):
        post_save.connect(_by_registration, sender=model, dispatch_uid=f"pool-{model.__name__}-saved")
        post_delete.connect(_by_registration, sender=model, dispatch_uid=f"pool-{model.__name__}-deleted")
    post_save.connect(_registration_saved, sender=Registration, dispatch_uid="pool-registration-saved")
    post_save.connect(_sample_item, sender=SampleItem, dispatch_uid="pool-sample-item-saved")
    post_delete.connect(_sample_item, sender=SampleItem, dispatch_uid="pool-sample-item-deleted")
    post_save.connect(_plan_saved, sender=SamplingPlan, dispatch_uid="pool-plan-saved")
    registrations_changed.connect(_changed, dispatch_uid="pool-registrations-changed")
