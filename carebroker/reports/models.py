"""A policy simulation run from the browser (issue 13, the policy simulator): what a
manager asked for, how far the worker has got, and the result it keeps.

The row is the only thing a simulation writes: the replay runs on the pure engine over
copies of the council's packages (reports/simulator.py), so nothing of the live council
changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SimulationStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Could not finish"


class Simulation(models.Model):
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="simulations"
    )
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    weeks = models.PositiveSmallIntegerField()
    # Both policies as text, copied when the run was asked for: the result can always be
    # read against what was compared, whatever the council's policy becomes later.
    current_policy = models.TextField()
    edited_policy = models.TextField()
    seed = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=SimulationStatus.choices, default=SimulationStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def done(self) -> bool:
        return self.status in (SimulationStatus.FINISHED, SimulationStatus.FAILED)
