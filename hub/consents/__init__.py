"""Consent (samtycke) and emergency access (nödåtkomst): the two ways a withheld category opens."""
