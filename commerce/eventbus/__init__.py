"""The event bus: a transactional outbox, per-subscriber deliveries and an inbox."""
