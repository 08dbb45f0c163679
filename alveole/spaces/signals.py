"""What spaces tell the apps above them, inside the action's transaction (see feed/signals.py)."""

from django.dispatch import Signal

member_added = Signal()  # space_id, user_id, actor_id
