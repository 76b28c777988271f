"""What the insight dashboard keeps: each panel's figures as last worked out.

The panels aggregate the whole catalogue, the assessment history and the search log. Worked
out on every visit they would be slow at national scale, so `manage.py refresh_insight`
(daily, and on demand from the dashboard) stores each panel's figures here, and the dashboard
reads them and says how old they are.
"""

from django.db import models


class PanelSnapshot(models.Model):
    panel = models.CharField(max_length=40, unique=True)
    computed_at = models.DateTimeField()
    took_ms = models.PositiveIntegerField(help_text="How long working the figures out took.")
    data = models.JSONField()

    class Meta:
        permissions = [("view_insight", "Can see the insight dashboard")]

    def __str__(self):
        return f"{self.panel} at {self.computed_at:%d %B %Y %H:%M}"
