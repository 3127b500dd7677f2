from django.template.response import TemplateResponse


def panel_page(model_admin, request, template, context, status=200):
    """A page of the panel's own beside a model's changelist (a confirmation, a
    review screen), with the admin's header, sidebar and the model's breadcrumbs."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


def refused(model_admin, request, message):
    """The panel's own page saying why something is not for this user (403),
    rather than a bare Forbidden."""
    context = {"title": "Not allowed", "message": message}
    return panel_page(model_admin, request, "admin/tracker/refused.html", context, 403)
