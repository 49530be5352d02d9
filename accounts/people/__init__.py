"""The centre admin's people screens: people, their roles at a centre, invitations to set a password."""
