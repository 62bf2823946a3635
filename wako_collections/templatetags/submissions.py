from django import template
from django.utils.html import format_html

from wako_collections.submissions import FIELD, new_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context):
    """The hidden token that makes a create form's submission count once. The token a POST carried
    is kept when its form is shown again with errors, so the corrected form is the same submission."""
    request = context.get("request")
    token = request.POST.get(FIELD) if request is not None and request.method == "POST" else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token or new_token())
