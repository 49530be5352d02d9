from accounts import demo as accounts_demo
from evidence import demo
from evidence.models import EvidenceItem, Witness


def test_demo_gives_the_candidate_evidence_of_each_type_and_is_idempotent(db):
    accounts_demo.run()
    demo.run()
    first = EvidenceItem.objects.count()
    demo.run()
    assert EvidenceItem.objects.count() == first
    kinds = set(EvidenceItem.objects.filter(candidate__username="candidate").values_list("kind", flat=True))
    assert kinds == set(EvidenceItem.Kind.values)
    assert Witness.objects.filter(candidate__username="candidate").count() == 1
    files = EvidenceItem.objects.exclude(file="")
    assert files.exists() and all(item.file.storage.exists(item.file.name) for item in files)
