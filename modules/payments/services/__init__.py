"""Writes of the payments module, by concern: sessions (open, sync, attach), settlement (capture, cancel, refund),
webhooks (apply once) and reconciliation."""
