"""Staff competence records: assessor/verifier qualifications, occupational competence, CPD, standardisation."""
