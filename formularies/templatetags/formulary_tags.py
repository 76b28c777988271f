from django import template

from buyers.membership import verified_organisations

from ..models import Formulary

register = template.Library()


@register.simple_tag(takes_context=True)
def formulary_of(context, organisation):
    """{"published": bool, "can_edit": bool} for an organisation's page."""
    user = context["request"].user
    return {
        "published": Formulary.objects.public().filter(organisation=organisation).exists(),
        "can_edit": not organisation.is_supplier
        and verified_organisations(user).filter(pk=organisation.pk).exists(),
    }
