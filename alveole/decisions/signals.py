"""What decisions tell the apps above them, inside the action's transaction (see feed/signals.py)."""

from django.dispatch import Signal

poll_created = Signal()  # poll_id: sent once its options exist (bulk-created, so no post_save of theirs)
