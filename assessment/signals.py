"""Signals higher apps connect to.

`registrations_changed` (sender=the model, registration_ids=[...]) is sent inside the writing transaction by the
writes that bypass the models' post_save signal (conditional UPDATEs of a status): verification keeps its
sampling pool's summary rows up to date from it and from the models' own signals.
"""

from django.dispatch import Signal

registrations_changed = Signal()
