"""Sample generation in the background: a failure is recorded and audited, only internal verifiers ask, and the
generated proposal is the one the generator makes in the request."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from verification import sampling, selectors, services
from verification.models import SampleGeneration
from verification.tasks import generate_sample, sample_generation_run


def test_generation_proposes_what_the_generator_proposes(
    signed_world, plan, django_capture_on_commit_callbacks
):
    w = signed_world
    with django_capture_on_commit_callbacks(execute=True):
        generation = services.sample_generation_request(plan=plan, actor=w.ivy)
    generation.refresh_from_db()
    pool = selectors.plan_pool(plan, verifier=w.ivy)
    expected = sampling.propose_sample(pool.plain_plan, pool.decisions, already_sampled=pool.sampled_ids)
    assert generation.status == "done" and generation.keys == [d.id for d in expected.items]
    assert generation.total == len(pool.decisions) and len(generation.shown) == len(expected.items)
    assert generate_sample.call(generation.pk) == 0  # a finished generation is not run again


def test_a_failed_generation_is_recorded_and_audited(signed_world, plan, monkeypatch):
    w = signed_world
    generation = SampleGeneration.objects.create(plan=plan, requested_by=w.ivy)

    def broken(*args, **kwargs):
        raise RuntimeError("the pool could not be read")

    monkeypatch.setattr(selectors, "plan_pool", broken)
    with pytest.raises(RuntimeError):
        sample_generation_run(generation)
    generation.refresh_from_db()
    assert (
        generation.status == "failed" and "could not be read" in generation.error and generation.finished_at
    )
    assert AuditEntry.objects.filter(action="sample_generation_failed").count() == 1
    # a new one may be asked for once it failed
    assert services.sample_generation_request(plan=plan, actor=w.ivy).pk != generation.pk


def test_only_an_internal_verifier_asks_for_a_generation(signed_world, plan):
    with pytest.raises(ValidationError, match="internal verifier"):
        services.sample_generation_request(plan=plan, actor=signed_world.admin)
    assert not SampleGeneration.objects.exists()
