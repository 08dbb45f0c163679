from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "alveole.mail"
    label = "mail"
    verbose_name = "Email bridge"

    def ready(self) -> None:
        # Outbound notification emails and digests run on the shared schedule (alveole.core.periodic).
        from alveole.core import periodic

        for entry in (
            ("alveole.mail.jobs.send_notification_emails", 60),
            ("alveole.mail.jobs.send_digest_emails", 300),
        ):
            if entry not in periodic.SCHEDULE:
                periodic.SCHEDULE.append(entry)
