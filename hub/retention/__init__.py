"""Retention: personal data and audit months are kept no longer than the settings say."""
