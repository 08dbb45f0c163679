"""What the feed tells the apps above it. Sent inside the action's transaction, so whatever a receiver
writes (a job row, say) commits or rolls back with the change; the feed does not know who listens."""

from django.dispatch import Signal

post_published = Signal()  # post_id: a new post, or a share
comment_published = Signal()  # comment_id
reaction_added = Signal()  # post_id, user_id
item_held = Signal()  # post_id, comment_id (None for a post): it waits for the space's managers
item_reviewed = Signal()  # post, comment (None for a post): a held item was validated or refused
held_item_withdrawn = Signal()  # space_id: a held post or comment was deleted before anyone decided on it
attachments_attached = Signal()  # attachment_ids, post_id, comment_id (one None): uploads claimed by an item
topics_named = Signal()  # topics: the Topic rows a post just named, new or already known
