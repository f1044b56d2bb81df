"""The county hub: one shared plan for unaccompanied children at risk of going missing."""
