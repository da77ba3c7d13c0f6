"""HTML templates of the replica: one module per page family, plain string building."""
