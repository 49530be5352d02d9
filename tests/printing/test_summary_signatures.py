"""The summary of unit achievement prints each signature's verification code (audit.Signature), as the recording
form does: the candidate's authenticity statement, the assessor's sign-off, the countersignature, the IV's
agreement."""

from assessment import signing
from assessment.models import UnitAssessment
from audit.models import Signature
from audit.signatures import Kind, signature_record
from printing import registry
from tests.printing.pdftext import pdf_text
from tests.printing.test_iv_record import sampled  # noqa: F401  (fixture)
from verification import selectors


def test_unit_summary_prints_every_signature_code(sampled, registration, people):  # noqa: F811
    ua = UnitAssessment.objects.get(registration=registration, unit=sampled["u401"])
    made = {
        Kind.AUTHENTICITY: signature_record(
            kind=Kind.AUTHENTICITY,
            obj=ua,
            content=signing.authenticity_content(ua),
            signer=people["candidate"],
            centre=registration.centre,
        ),
        Kind.UNIT_SIGN_OFF: signature_record(
            kind=Kind.UNIT_SIGN_OFF,
            obj=ua,
            content=signing.decisions_content(ua),
            signer=people["assessor"],
            centre=registration.centre,
        ),
        Kind.COUNTERSIGNATURE: signature_record(
            kind=Kind.COUNTERSIGNATURE,
            obj=ua,
            content=signing.decisions_content(ua),
            signer=people["admin"],
            centre=registration.centre,
        ),
    }
    iv_code = selectors.iv_signatures_for(registration)[sampled["u401"].pk].code
    assert Signature.objects.filter(kind=Kind.IV_AGREEMENT, code=iv_code.replace("-", "")).exists()
    UnitAssessment.objects.filter(pk=ua.pk).update(
        countersigned_by=people["admin"], authenticity_signed_at=ua.signed_at
    )
    text = pdf_text(registry.render_completed(registry.get_form("unit-summary"), registration))
    row = text[text.index("401 Demonstrate") : text.index("402 ")]
    for kind, signature in made.items():
        assert signature.display_code in row, kind
    assert iv_code in row
    # a unit with no signatures prints no code
    assert "verification code" not in text[text.index("402 ") : text.index(registry.SUMMARY_DECLARATION)]
