"""The framework ceiling: a bare Django view answering fixed bytes (no middleware, no database, no apps)."""
