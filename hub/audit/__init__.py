"""The audit trail: who saw or did what about which child, when, why, on which basis."""
