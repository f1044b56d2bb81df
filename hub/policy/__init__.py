"""Authorization: the only package that decides who may see or do what."""
