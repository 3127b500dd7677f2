from django.template.response import TemplateResponse


def refused(model_admin, request, message):
    """The panel's own page saying why something is not for this user (403),
    rather than a bare Forbidden."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Not allowed",
        "message": message,
    }
    return TemplateResponse(request, "admin/tracker/refused.html", context, status=403)
