"""Store, dispatch and deliver events: at-least-once delivery, exactly-once effects.

Invariants:
- an event exists only if the publisher's transaction committed (its outbox
  row is written in that transaction, in the publisher's database);
- each subscriber has its own delivery row, so one failing subscriber never
  blocks or repeats the others;
- a subscriber's effect and its inbox row commit together, so a repeated
  delivery of the same event finds the inbox row and does nothing.

One file per step of an event's way, nothing re-exported here (import each
name from the file that defines it):

- ``routing``: who gets a delivery of an event, and when a delivery is due (lease, grace, backoff);
- ``outbox``: storing events and their deliveries in the publisher's transaction;
- ``dispatch``: handing deliveries to Celery or delivering them in-process, and the sweeper;
- ``delivery``: one attempt per delivery, its failure, retry or dead letter;
- ``inbox``: applying an event to a subscriber at most once;
- ``operations``: an operator's retry and replay;
- ``replay``: the retained history applied again to chosen subscribers (a module joining late);
- ``housekeeping``: forgetting delivered history.
"""
