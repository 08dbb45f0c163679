"""Direct messages: conversations between a few people of one organisation, outside any space."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from alveole.feed.models import StoredFileFields


class Conversation(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    title = models.CharField(max_length=120, blank=True)
    # "<smaller id>:<larger id>" for a one-to-one conversation, so starting it again opens the same one.
    direct_key = models.CharField(max_length=41, null=True, blank=True)
    last_message_at = models.DateTimeField()  # the creation time until a message is sent

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "direct_key"], condition=Q(direct_key__isnull=False), name="one_direct_per_pair"
            )
        ]
        indexes = [models.Index(fields=["organisation", "-last_message_at", "-id"], name="conversation_activity")]

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()
    # Messages after this are unread (set to the join time, so a new conversation's history counts).
    last_read_at = models.DateTimeField()
    muted = models.BooleanField(default=False)
    left_at = models.DateTimeField(null=True, blank=True)
    # The newest message an email has already told this person about (alveole/mail).
    emailed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_participant_per_person")]
        indexes = [models.Index(fields=["user", "left_at"], name="participant_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # A threaded reply: one level deep, like comments.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "-created_at", "-id"], name="message_conversation_time")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class MessageReaction(models.Model):
    """One reaction per person per message; choosing another replaces it (like feed.Reaction)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Exactly one emoji, fully qualified (feed.reactions.normalize checks it).
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_reaction_per_message")]

    def __str__(self) -> str:
        return f"{self.kind} on message {self.pk}"


class MessageAttachment(StoredFileFields):
    """A file sent in a conversation: checked and stored by feed.files, served only to its participants.

    Uploaded through the API before the message exists (`message` is null until it is sent, and only its
    uploader sees it then). Deleting the message deletes its files, bytes included."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    @classmethod
    def unsent_files(cls) -> models.QuerySet[MessageAttachment]:
        return cls.objects.filter(message__isnull=True)
