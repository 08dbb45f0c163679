from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "alveole.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # Closing at the deadline and reminders before it run on the shared schedule (alveole.core.periodic).
        from django.utils.translation import gettext_lazy as _

        from alveole.core import periodic
        from alveole.core.audit import ACTION_LABELS

        ACTION_LABELS.setdefault("poll.create", _("asked a poll"))
        ACTION_LABELS.setdefault("proposal.create", _("made a proposal"))
        ACTION_LABELS.setdefault("decision.record", _("recorded a decision"))
        ACTION_LABELS.setdefault("decision.outcome", _("wrote the outcome of a decision"))

        for entry in (
            ("alveole.decisions.jobs.close_due_votes", 60),
            ("alveole.decisions.jobs.send_vote_reminders", 600),
        ):
            if entry not in periodic.SCHEDULE:
                periodic.SCHEDULE.append(entry)
