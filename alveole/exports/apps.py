from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "alveole.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from alveole.core import periodic

        entry = ("alveole.exports.retention.purge_expired", 3600)
        if entry not in periodic.SCHEDULE:
            periodic.SCHEDULE.append(entry)
