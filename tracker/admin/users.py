"""Who did what, as the desk reads it: a user's name, not a link to the user's
record, which only an administrator may open (Django links a read-only
foreign key to its change page whoever is looking)."""

from django.contrib import admin


def user_name(field_name):
    """A read-only admin display of the user in field_name, labelled as the field."""

    @admin.display(description=field_name.replace("_", " "), ordering=field_name)
    def display(model_admin, obj):
        user = getattr(obj, field_name, None)
        return user.get_username() if user else "-"

    return display
