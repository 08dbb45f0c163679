"""Questions notifications ask the apps above them, which answer without notifications knowing them."""

from django.dispatch import Signal

# Sent with viewer, since and spaces (the viewer's space ids, a subquery); each receiver returns a dict of
# CatchUp fields it fills ("votes", "decisions", "deadlines"), already limited and ordered.
catch_up_sections = Signal()

# Sent with notification (a new line, inside the transaction that wrote it): receivers queue what follows
# from it (the line's pushes, receivers.py).
line_created = Signal()
