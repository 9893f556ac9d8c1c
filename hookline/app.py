"""The Starlette app: routes, and a lifespan that builds every dependency once and passes it on."""

import contextlib
import logging
from collections.abc import AsyncIterator

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from bridge.config import BridgeConfig
from bridge.dispatcher import Dispatcher
from bridge.leader import Leadership, PgLeadership
from bridge.service import Bridge, client_session
from events.bus import LocalBus, RedisBus
from events.log import Event
from events.tail import SUBSCRIBERS, EventTail
from events.watch import StoredChanges
from hookline import graphiql, portal_page, rest_hooks
from hookline.admission import AdmitSockets
from hookline.auth import Authenticator
from hookline.graphql_view import HooklineGraphQL
from hookline.limits import BodySizeLimit
from hookline.ratelimit import Limits
from hookline.settings import Settings
from models import db
from models.webhooks import routing_version
from resolvers.context import SYSTEM, Context, Services, WebhookPolicy
from schema.root import schema

logger = logging.getLogger("hookline.app")


class _LateGraphQL:
    """Routes need an app at construction; the view needs Services, built in the lifespan."""

    def __init__(self) -> None:
        self.view: ASGIApp | None = None

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if self.view is None:
            response = JSONResponse({"detail": "starting"}, status_code=503)
            await response(scope, receive, send)
            return
        await self.view(scope, receive, send)


def bridge_config(settings: Settings) -> BridgeConfig:
    return BridgeConfig(
        retry_schedule=settings.retry_schedule,
        delivery_timeout=settings.delivery_timeout,
        allow_private_urls=settings.allow_private_urls,
        retention_days=settings.delivery_retention_days,
        event_retention_days=settings.event_retention_days,
        lease_seconds=settings.claim_lease_seconds,
    )


def leadership(settings: Settings) -> Leadership:
    if settings.database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        dsn = settings.database_url.replace("asyncpg://", "postgres://", 1).split("?")[0]
        return PgLeadership(dsn)
    return Leadership()


def build_app(
    settings: Settings, *, run_bridge: bool = True, serve_api: bool = True, migrate: bool = True
) -> Starlette:
    """The API with the bridge (`serve`), the API alone (`serve --no-bridge`), or the bridge
    alone with only its health and metrics routes (`bridge`)."""
    graphql = _LateGraphQL()
    bus = RedisBus(settings.redis_url) if settings.redis_url else LocalBus()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if migrate:
            await db.migrate(settings.database_url)
        await db.init(settings.database_url, settings.db_pool_size)
        # Changes of webhooks, access and tokens are counted in the database. The embedded
        # single process hears its own on its bus, and polls the count only for the CLI's
        # (a token revoked from the command line). Processes sharing a database may not hear
        # each other (an announcement can trail the events after it, or be lost with Redis):
        # their tails also compare the count after each batch, before subscribers see it.
        alone = db.dialect() == "sqlite" and serve_api and run_bridge
        stored = StoredChanges(routing_version, bus.hear, settings.event_poll_seconds)
        tail = EventTail(
            queue_size=settings.max_subscriber_queue,
            poll_interval=settings.event_poll_seconds,
            check_stored_changes=None if alone else stored.check,
        )
        SUBSCRIBERS.set_function(lambda: tail.subscriber_count)
        authenticator = Authenticator()
        bus.listen(authenticator.on_announce)  # first: streams re-check tokens after it
        bus.listen(tail.on_announce)
        await bus.start()
        await stored.start()
        await tail.start()
        config = bridge_config(settings)
        session = client_session(config)
        bridge: Bridge | None = None
        if run_bridge:
            bridge = Bridge(
                config,
                session,
                schema=schema,
                context_factory=lambda: Context(services=services, principal=SYSTEM),
                announce=bus.announce,
                release_claims_on_start=db.dialect() == "sqlite",
                leadership=leadership(settings),
                check_routing_version=not alone,
            )
            bus.listen(bridge.on_announce)
        # API-only processes still send health checks and tests themselves.
        sender = bridge.dispatcher if bridge else Dispatcher(session, config)
        limits = Limits.from_settings(settings)
        services = Services(
            announcer=bus,
            feed=tail,
            policy=WebhookPolicy(
                max_enabled_per_company=settings.max_enabled_webhooks,
                allow_private_urls=settings.allow_private_urls,
                delivery_retention_days=settings.delivery_retention_days,
            ),
            sender=sender,
            limiter=limits,
            public_url=settings.public_url,
            authenticator=authenticator,
        )
        if bridge is not None:
            await bridge.start()
        graphql.view = AdmitSockets(
            HooklineGraphQL(schema, services, allowed_origins=settings.cors_origins), limits
        )
        app.state.services = services
        app.state.bridge = bridge
        try:
            yield
        finally:
            graphql.view = None
            if bridge is not None:
                await bridge.stop()
            await session.close()
            await limits.close()
            await tail.stop()
            await stored.stop()
            await bus.stop()
            await db.close()

    async def healthz(request: Request) -> Response:
        bridge = getattr(request.app.state, "bridge", None)
        matcher = bridge is not None and bridge.leadership.is_leader
        return JSONResponse({"status": "ok", "bridge": bridge is not None, "matcher": matcher})

    async def readyz(request: Request) -> Response:
        checks: dict[str, bool] = {}
        try:
            await Event.all().limit(1).values_list("id", flat=True)
            checks["database"] = True
        except Exception:
            checks["database"] = False
        checks["bus"] = await bus.ping()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, **checks}, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
    ]
    if serve_api:
        routes += [
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Mount(graphiql.ASSETS_PATH, graphiql.assets()),
            Route(
                portal_page.PAGE_PATH,
                portal_page.PortalPage(settings.portal_frame_ancestors).endpoint,
            ),
            Mount(portal_page.ASSETS_PATH, portal_page.assets()),
            *rest_hooks.routes(),
        ]
    middleware = [Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)]
    if settings.cors_origins:  # outermost, so refusals (413, 4xx) carry the CORS headers too
        middleware.insert(0, cors(settings.cors_origins))
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


def cors(origins: tuple[str, ...]) -> Middleware:
    """Starlette's CORS, answering preflights for the API's methods and headers. Tokens travel
    in headers, never cookies, so credentials are not allowed."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=[
            "Accept",
            "Authorization",
            "Content-Type",
            "X-Bloo-Company-ID",
            "X-Bloo-Token-ID",
            "X-Bloo-Token-Secret",
        ],
        expose_headers=["Retry-After"],
        max_age=600,
    )
