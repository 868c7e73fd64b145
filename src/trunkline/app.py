"""The ASGI application: AWS calls on `/`, trunkline's own endpoints under `/_trunkline/`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from trunkline import __version__, ui
from trunkline.aws_endpoint import AwsEndpoint, takes
from trunkline.context import Principal, RequestContext
from trunkline.errors import AwsError
from trunkline.event_stream import EventStreams
from trunkline.guard import BrowserGuard, joined_headers, policy_for
from trunkline.lazy import LateModule
from trunkline.store.api import StoreBusy, StoreUnavailable
from trunkline.store_worker import StoreWorker
from trunkline.wake_up import Alarm

if TYPE_CHECKING:
    from trunkline.runtime import Runtime
    from trunkline.wire.errors import WireResponse

log = logging.getLogger("trunkline.app")
# Imported on the store's worker when first used (or by Runtime.warm_up after the ready line).
dashboard = LateModule("trunkline.domain.ecs.dashboard")
inspection = LateModule("trunkline.domain.ecs.inspection")
managed_scaling = LateModule("trunkline.domain.ecs.managed_scaling")
T = TypeVar("T")

_LAST_MOMENT = datetime(9999, 12, 31, tzinfo=UTC).timestamp()


def create_app(runtime: Runtime) -> Starlette:
    store_worker = StoreWorker()

    async def answer(method: str, headers: dict[str, str], query: str, body: bytes, path: str) -> WireResponse:
        # The whole call (its transaction included) runs on a worker thread: the event loop stays
        # free for other requests, health checks and event streams while a slow one runs.
        return await store_worker(_answer, runtime, method, headers, query, body, path)

    async def aws(request: Request) -> Response:
        # GET and POST come in through aws_endpoint.py; this route answers what is left (HEAD).
        body = await request.body()
        path = request.scope.get("raw_path", b"/").decode("latin-1") or "/"
        answer_ = await answer(request.method, joined_headers(request.scope), request.url.query, body, path)
        return Response(answer_.body, answer_.status, dict(answer_.headers), media_type=answer_.content_type)

    async def health(request: Request) -> Response:
        try:
            runtime.store.ping()
            store_error = None
        except Exception as error:  # the store's own failure, whatever it is, is the answer here
            store_error = str(error) or type(error).__name__
        return JSONResponse(
            {
                "status": "ok" if store_error is None else "unavailable",
                **({"storeError": store_error} if store_error else {}),
                "version": __version__,
                "store": runtime.store.description,
                "timing": runtime.timing.name,
                "region": runtime.config.region,
                "accountId": runtime.config.account_id,
                # PostgreSQL: transactions run again after a conflict or a lost connection so far.
                **(
                    {"storeRetries": retried}
                    if (retried := getattr(runtime.store, "retried", None)) is not None
                    else {}
                ),
                # PostgreSQL: where the writing connection's time went (bench_shared_store.py reports it).
                **({"storeWaits": waits.report()} if (waits := getattr(runtime.store, "waits", None)) else {}),
            },
            status_code=200 if store_error is None else 503,
        )

    async def clock(request: Request) -> Response:
        return JSONResponse(await store_worker(_clock_state, runtime))

    async def advance(request: Request) -> Response:
        if not runtime.clock.manual:
            return _problem(409, "the clock only advances under --timing manual; use /_trunkline/clock/settle")
        seconds = await _seconds(request)
        if seconds is None:
            return _problem(400, 'give a number of seconds >= 0: {"seconds": 30} or ?seconds=30')
        if runtime.clock.now() + seconds >= _LAST_MOMENT:
            # Past year 9999 no timestamp can be rendered: every later request would fail.
            return _problem(400, "the clock cannot be advanced beyond the year 9999")
        ran = await store_worker(runtime.advance, seconds)
        return JSONResponse({**await store_worker(_clock_state, runtime), "jobsRun": ran})

    async def settle(request: Request) -> Response:
        ran = await store_worker(runtime.settle)
        return JSONResponse({**await store_worker(_clock_state, runtime), "jobsRun": ran})

    async def digest(request: Request) -> Response:
        return JSONResponse({"digest": await store_worker(runtime.store.run, lambda tx: tx.digest())})

    async def reset(request: Request) -> Response:
        wanted = request.query_params.get("defaultVpc")
        if wanted not in (None, "true", "false"):
            return _problem(400, "defaultVpc is true or false: /_trunkline/reset?defaultVpc=false")
        with_default_vpc = None if wanted is None else wanted == "true"
        await store_worker(lambda: runtime.reset(with_default_vpc))
        return JSONResponse({"status": "reset"})

    async def agent(request: Request) -> Response:
        instance_id = request.path_params["instance_id"]
        return await _inspect(runtime, request, lambda ctx: inspection.describe_agent(ctx, instance_id), store_worker)

    async def trunking(request: Request) -> Response:
        query = request.query_params
        return await _inspect(
            runtime,
            request,
            lambda ctx: inspection.explain_trunking(
                ctx, query.get("cluster"), query.get("containerInstance"), query.get("ec2InstanceId")
            ),
            store_worker,
        )

    async def capacity(request: Request) -> Response:
        cluster = request.query_params.get("cluster")
        return await _inspect(runtime, request, lambda ctx: inspection.cluster_capacity(ctx, cluster), store_worker)

    async def capacity_providers(request: Request) -> Response:
        cluster = request.query_params.get("cluster")
        return await _inspect(runtime, request, lambda ctx: managed_scaling.view(ctx, cluster), store_worker)

    async def dashboard_state(request: Request) -> Response:
        # The newest event before the snapshot: the page follows the stream from there.
        seq = await store_worker(runtime.store.run, lambda tx: tx.last_event_seq())
        return await _inspect(runtime, request, lambda ctx: {**dashboard.snapshot(ctx), "eventSeq": seq}, store_worker)

    async def dashboard_page(request: Request) -> Response:
        found = ui.asset(request.path_params.get("name", "index.html"))
        if found is None:
            return _problem(404, "no such dashboard file")
        body, media_type = found
        return Response(body, 200, ui.SECURITY_HEADERS, media_type=media_type)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = None
        if not runtime.clock.manual:
            # Requests run on the store worker; the alarm is rung from there, through the loop.
            alarm = Alarm(runtime.clock, asyncio.get_running_loop())
            runtime.on_scheduled = alarm.ring_from_any_thread
            task = asyncio.create_task(_reconcile_forever(runtime, alarm, store_worker))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            store_worker.close()

    streams = EventStreams(runtime.store)  # /_trunkline/events and its SSE stream
    routes = [
        Route("/_trunkline/health", health, methods=["GET"]),
        Route("/_trunkline/clock", clock, methods=["GET"]),
        Route("/_trunkline/clock/advance", advance, methods=["POST"]),
        Route("/_trunkline/clock/settle", settle, methods=["POST"]),
        Route("/_trunkline/reset", reset, methods=["POST"]),
        Route("/_trunkline/state/digest", digest, methods=["GET"]),
        Route("/_trunkline/agents/{instance_id}", agent, methods=["GET"]),
        Route("/_trunkline/container-instances/trunking", trunking, methods=["GET"]),
        Route("/_trunkline/container-instances/capacity", capacity, methods=["GET"]),
        Route("/_trunkline/capacity-providers", capacity_providers, methods=["GET"]),
        Route("/_trunkline/dashboard", dashboard_state, methods=["GET"]),
        Route("/_trunkline/ui", dashboard_page, methods=["GET"]),
        Route("/_trunkline/ui/{name}", dashboard_page, methods=["GET"]),
        *streams.routes(),
        Route("/", aws, methods=["GET", "POST"]),
    ]
    config = runtime.config
    policy = policy_for(config.host, config.allow_hosts, config.auth == "strict")
    guard = Middleware(BrowserGuard, policy=policy)

    async def store_trouble(request: Request, error: Exception) -> Response:
        # trunkline's own endpoints: the store's retry budget ran out, or it cannot be reached.
        return _store_trouble(error)

    handlers = {StoreBusy: store_trouble, StoreUnavailable: store_trouble}
    endpoint = AwsEndpoint(policy, answer, _store_trouble)
    app = _App(endpoint, routes=routes, lifespan=lifespan, middleware=[guard], exception_handlers=handlers)
    app.state.event_streams = streams  # server.py ends open streams through it when shutting down
    app.state.warm_up = lambda: _warm_up(runtime.warm_up_steps(), store_worker)
    return app


class _App(Starlette):
    """Starlette, but for AWS calls: those go straight to `AwsEndpoint` (see aws_endpoint.py)."""

    def __init__(self, endpoint: AwsEndpoint, **options: Any) -> None:
        super().__init__(**options)
        self._endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if takes(scope):
            await self._endpoint(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def _store_trouble(error: Exception) -> Response:
    return _problem(503, f"the store is busy or unavailable, retry: {error}")


def warm_up(app: Any) -> None:
    """Run `Runtime.warm_up_steps` on the app's store worker (server.py calls it after the ready line)."""
    app.state.warm_up()


def _warm_up(steps: list[Callable[[], object]], store_worker: StoreWorker) -> None:
    """Queue the first step; each step queues the next when it is done, behind whatever requests
    arrived meanwhile."""
    if not steps:
        return

    def step() -> None:
        try:
            steps[0]()
        except Exception:  # the request that needs what failed to load will fail and say why
            log.exception("loading trunkline's modules and service models failed")
        _warm_up(steps[1:], store_worker)

    store_worker.submit(step)


def _answer(runtime: Runtime, method: str, headers: dict[str, str], query: str, body: bytes, path: str) -> WireResponse:
    # The wire layer (botocore's models) is imported on the store's worker when a request first
    # needs it, or by Runtime.warm_up after the ready line; never before the ready line.
    from trunkline.wire.gateway import HttpRequest, handle

    answer = handle(HttpRequest(method=method, headers=headers, query_string=query, body=body, path=path), runtime)
    # AWS dates every answer by the clock its timestamps come from; so does trunkline, by its own
    # clock (manual or offset), so that Date and registeredAt, createdAt, ... agree (decisions.md,
    # "HTTP Date is trunkline's clock").
    dated = (*answer.headers, ("Date", formatdate(runtime.clock.now(), usegmt=True)))
    return type(answer)(answer.status, answer.body, answer.content_type, dated)


_HOUSEKEEPING_EVERY = 10.0  # seconds between retention passes (housekeeping.py)
_IDLE_CHECK = 1.0  # seconds; also how soon jobs scheduled by another process sharing PostgreSQL run


async def _reconcile_forever(runtime: Runtime, alarm: Alarm, store_worker: StoreWorker) -> None:
    """Run due jobs, then sleep until the next one is due, a job a request schedules is due
    (wake_up.py), or the idle check comes round. Polling the store every tick would tax every
    request on a small machine."""
    swept_at = 0.0
    while True:
        due: float | None = None
        try:
            # One process's reconciler at a time on a shared store (Transaction.try_lead).
            await _background_pass(runtime, store_worker)
            due = await store_worker.background(runtime.next_due_at)
            if time.monotonic() - swept_at >= _HOUSEKEEPING_EVERY:
                swept_at = time.monotonic()
                await store_worker.background(runtime.housekeep)
        except Exception:  # keep reconciling; one bad transition must not stop time
            log.exception("reconciler pass failed")
        delay = _IDLE_CHECK if due is None else min(_IDLE_CHECK, max(0.0, due - runtime.clock.now()))
        await alarm.sleep(max(delay, runtime.timing.tick), due)


async def _background_pass(runtime: Runtime, store_worker: StoreWorker) -> None:
    """`Reconciler.run_due(lead=True)`, each chunk of jobs its own background turn on the store
    worker: a request waits for the chunk that is running, not for the whole pass."""
    reconciler = runtime.reconciler
    while True:
        listing = await store_worker.background(reconciler.list_due)
        ran = 0
        for scope, ids in listing.chunks:
            ran += await store_worker.background(reconciler.run_chunk, scope, ids)
        if not listing.more or ran == 0:
            return


async def _seconds(request: Request) -> float | None:
    raw: Any = request.query_params.get("seconds")
    if raw is None:
        try:
            payload = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
            return None
        raw = payload.get("seconds") if isinstance(payload, dict) else None
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            return None
    try:
        seconds = float(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _clock_state(runtime: Runtime) -> dict[str, Any]:
    now = runtime.clock.now()
    due = runtime.next_due_at()
    return {
        "timing": runtime.timing.name,
        "now": datetime.fromtimestamp(now, UTC).isoformat(),
        "epochSeconds": now,
        "nextDueAt": None if due is None else datetime.fromtimestamp(due, UTC).isoformat(),
    }


async def _inspect(
    runtime: Runtime, request: Request, work: Callable[[RequestContext], Any], store_worker: StoreWorker
) -> Response:
    """Answer a read-only question about the world (`domain/ecs/inspection.py`) as the root of
    `?account=` in `?region=` (defaults: the server's), in one transaction."""
    account = request.query_params.get("account") or runtime.config.account_id
    region = request.query_params.get("region") or runtime.config.region
    now = runtime.clock.now()

    def run(tx: Any) -> Any:
        return work(
            RequestContext(
                tx,
                Principal.root(account),
                region,
                now,
                runtime.timing,
                reactions=runtime.reactions,
                quotas=runtime.quotas,
            )
        )

    try:
        return JSONResponse(await store_worker(runtime.store.run, run))
    except AwsError as error:
        status = 400 if error.code == "InvalidParameterException" else 404
        return JSONResponse({"error": error.message, "code": error.code}, status_code=status)


def _problem(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)
