"""Cases: one missing episode of one child, from absent to closed."""
