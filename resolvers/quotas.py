"""Rates and quotas where operations meet them: every operation counts against its caller's
rate, a send on demand against its webhook's and token's, and a subscription holds a place of
its token's quota for as long as it streams. The numbers live in the Limiter (hookline)."""

from collections.abc import AsyncIterator, Callable

from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from resolvers.authz import context_of
from resolvers.context import Context, Quota, Rate
from schema.errors import RateLimited


class OperationRate(SchemaExtension):
    """Counts each operation (HTTP request, or operation on a WebSocket) before it runs: by its
    token, or by the client address without a valid token. Over HTTP a refusal is a 429 with
    Retry-After; the body names the limit with code RATE_LIMITED.

    A refusal is handed over as the operation's validation error: Strawberry streams (sockets,
    SSE) turn those into an error message, while an exception from a hook would end the socket.
    Give it after ValidationCache, which replaces the validation errors with its own.
    """

    async def on_validate(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        if isinstance(context, Context):
            try:
                await count_operation(context)
            except RateLimited as exc:
                if context.response is not None:
                    context.response.status_code = 429
                    if exc.retry_after is not None:
                        context.response.headers["Retry-After"] = str(exc.retry_after)
                self.execution_context.pre_execution_errors = [exc]
        yield

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        """Operations on a socket take their token's turns (HTTP requests took theirs at the
        door, hookline.admission)."""
        context = self.execution_context.context
        on_socket = isinstance(context, Context) and context.response is None
        limiter = context.services.limiter if on_socket else None
        caller = context.principal if on_socket else None
        if limiter is None or caller is None or caller.token_id is None:
            yield
            return
        # A subscription's execution is only its start: its stream runs outside this.
        async with limiter.turn(caller.token_id):
            yield


async def count_operation(context: Context) -> None:
    limiter = context.services.limiter
    caller = context.principal
    if limiter is None or (caller is not None and caller.is_system):
        return
    if caller is not None:
        if caller.token_id is not None:
            await limiter.hit(Rate.REQUESTS, caller.token_id)
        return
    client = getattr(context.request, "client", None)
    if client is not None:
        await limiter.hit(Rate.ANONYMOUS, client.host)


async def count_send(info: Info, webhook_id: str) -> None:
    """A send on demand (test, redelivery, health check) goes out at once: count it first."""
    context = context_of(info)
    limiter, caller = context.services.limiter, context.principal
    if limiter is None or caller is None or caller.is_system:
        return
    # The webhook's first: hammering one webhook must not spend the token's sends to others.
    await limiter.hit(Rate.TEST_WEBHOOK, webhook_id)
    if caller.token_id is not None:
        await limiter.hit(Rate.TEST_WEBHOOK_PER_TOKEN, caller.token_id)


def hold_subscription(info: Info) -> Callable[[], None]:
    """A place among the caller's token's open subscriptions; call the result when it ends."""
    context = context_of(info)
    limiter, caller = context.services.limiter, context.principal
    if limiter is None or caller is None or caller.token_id is None:
        return lambda: None
    return limiter.occupy(Quota.SUBSCRIPTIONS, caller.token_id)
