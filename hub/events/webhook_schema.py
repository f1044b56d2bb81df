"""Webhooks as the API shows them: an organisation's admin registers, rotates, pings and
deletes its endpoints and reads each one's delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.events import webhooks
from hub.events.types import EventTypeType
from hub.events.webhook_repository import Delivery, Webhook
from hub.graphql.actions import mutation
from hub.graphql.categories import bounded
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.policy.actions import Action

MAX_DELIVERIES = 100


@strawberry.type(
    name="WebhookDelivery", description="One event sent (or being sent) to one endpoint."
)
class DeliveryType:
    webhook_id: strawberry.ID = strawberry.field(
        description="The webhook-id header: the same on every retry, for deduplication."
    )
    event_cursor: str | None = strawberry.field(description="Null for a ping.")
    status: str = strawberry.field(description="PENDING, RETRYING, DELIVERED, DEAD or SKIPPED.")
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryType:
        return cls(
            webhook_id=strawberry.ID(d.message_id),
            event_cursor=str(d.event_id) if d.event_id else None,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status=d.last_status,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
        )


@strawberry.type(name="Webhook", description="An endpoint of your organisation's system.")
class WebhookType:
    id: strawberry.ID
    url: str
    event_types: list[EventTypeType]  # type: ignore[valid-type]
    created_at: datetime
    row: strawberry.Private[Webhook]

    @bounded(MAX_DELIVERIES, "The latest deliveries, newest first.")
    async def deliveries(self, info: Info, first: int = 20) -> list[DeliveryType]:
        found = await webhooks.deliveries(
            info.context.actor, self.row.id, min(first, MAX_DELIVERIES)
        )
        return [DeliveryType.of(d) for d in found]

    @classmethod
    def of(cls, w: Webhook) -> WebhookType:
        return cls(
            id=strawberry.ID(str(w.id)),
            url=w.url,
            event_types=list(w.event_types),
            created_at=w.created_at,
            row=w,
        )


@strawberry.input
class RegisterWebhookInput:
    url: str
    event_types: list[EventTypeType]  # type: ignore[valid-type]


@strawberry.input
class WebhookIdInput:
    webhook_id: strawberry.ID


@strawberry.type(description="The webhook, and its secret: shown this once.")
class WebhookSecretPayload:
    webhook: WebhookType
    secret: str = strawberry.field(
        description="whsec_…: verify each delivery's webhook-signature with it."
    )


@strawberry.type
class WebhookPayload:
    webhook: WebhookType


@strawberry.type
class WebhookQuery:
    @bounded(webhooks.MAX_WEBHOOKS, "Your organisation's webhooks (its admin).")
    async def webhooks(self, info: Info) -> list[WebhookType]:
        return [WebhookType.of(w) for w in await webhooks.of_organisation(info.context.actor)]


@strawberry.type
class WebhookMutation:
    @mutation(
        Action.REGISTER_WEBHOOK,
        "Your admin registers an https endpoint for event types; the secret is shown once.",
    )
    async def register_webhook(
        self, info: Info, input: RegisterWebhookInput
    ) -> WebhookSecretPayload:
        ctx = info.context
        hook, secret = await webhooks.register(
            ctx.actor, input.url, [str(e) for e in input.event_types], ctx.settings
        )
        return WebhookSecretPayload(webhook=WebhookType.of(hook), secret=secret)

    @mutation(Action.ROTATE_WEBHOOK_SECRET, "A new secret; the old one stops signing at once.")
    async def rotate_webhook_secret(
        self, info: Info, input: WebhookIdInput
    ) -> WebhookSecretPayload:
        hook, secret = await webhooks.rotate(info.context.actor, parse_id(input.webhook_id))
        return WebhookSecretPayload(webhook=WebhookType.of(hook), secret=secret)

    @mutation(Action.DELETE_WEBHOOK, "Stop delivering to the endpoint; what waits is dropped.")
    async def delete_webhook(self, info: Info, input: WebhookIdInput) -> WebhookPayload:
        hook = await webhooks.delete(info.context.actor, parse_id(input.webhook_id))
        return WebhookPayload(webhook=WebhookType.of(hook))

    @mutation(Action.PING_WEBHOOK, "Send a signed test delivery at the next sweep.")
    async def ping_webhook(self, info: Info, input: WebhookIdInput) -> WebhookPayload:
        hook = await webhooks.ping(info.context.actor, parse_id(input.webhook_id))
        return WebhookPayload(webhook=WebhookType.of(hook))
