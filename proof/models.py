"""When a live listing was first seen breaking a rule.

The consistency report works out today's breaches from the rules every time it is read;
this table only remembers since when each one has been seen, for the breaches whose rows
cannot tell (a missing care setting has no date; an expired certificate has its own), and
whether the scaling team has been told about it.
"""

from django.db import models


class BreachRecord(models.Model):
    product = models.ForeignKey(
        "registry.ProductPage", on_delete=models.CASCADE, related_name="breach_records"
    )
    rule = models.CharField(max_length=32, help_text="A code from proof.rules.RULES.")
    first_seen_on = models.DateField()
    notified_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "rule"], name="one_record_per_breach")
        ]

    def __str__(self):
        return f"{self.product_id}: {self.rule} since {self.first_seen_on}"
