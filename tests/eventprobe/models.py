from django.db import models


class ProbeEffect(models.Model):
    """One row per applied delivery: counting rows counts effects."""

    subscriber = models.CharField(max_length=100)
    event_id = models.CharField(max_length=64)


class ProbeSwitch(models.Model):
    """How the flaky probe behaves: ok, fail, or slow (sleeps, for the worker-kill test)."""

    mode = models.CharField(max_length=10, default="ok")
