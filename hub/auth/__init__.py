"""Identity: tokens in, a typed Principal out. Nothing below the edge sees a token."""
