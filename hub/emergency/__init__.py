"""Emergency access (nödåtkomst): opening a withheld category in an emergency, and its review."""
