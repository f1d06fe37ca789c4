"""The national administrator's pages: every office, a new office with its first admin, and the national reach."""
