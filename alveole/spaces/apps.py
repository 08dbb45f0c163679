from django.apps import AppConfig
from django.db.models.signals import post_save


class SpacesConfig(AppConfig):
    name = "alveole.spaces"
    label = "spaces"
    verbose_name = "Spaces"

    def ready(self) -> None:
        from .labels import on_organisation_saved

        post_save.connect(on_organisation_saved, sender="orgs.Organisation", dispatch_uid="spaces.default_labels")
