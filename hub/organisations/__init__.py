"""The organisations of the county network: the registry that tokens are checked against."""
