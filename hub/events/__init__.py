"""Case events: the outbox every change writes, the deadline scheduler, live fan-out."""
