"""The demo network of DOMAIN.md: stable organisation ids, fictional children and cases."""
