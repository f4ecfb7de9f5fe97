"""The application factory: production and tests build the server through `create_app`."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import WSCloseCode, web

from scoring.asr import SpeechRecognizer, WhisperRecognizer
from scoring.model import ensure_bundled_model, verify_model_dir
from scoring.scheduler import TranscriptionScheduler

from . import (
    account_api,
    admin_api,
    bank_api,
    bootstrap,
    candidate_ws,
    hr_api,
    invitation_expiry,
    invitations_api,
    invite_mail,
    jobs_api,
    metrics,
    pages,
    ratelimit,
    retention,
    review_api,
    staff_api,
    totp_api,
    webhooks_api,
)
from .admission import admission_ctx
from .analytics_api import routes as analytics_routes
from .anomaly_api import routes as anomaly_routes
from .asr_metrics import queue_gauges, transcription_meters
from .bus import EventBus
from .capacity import available_cpus
from .config import Settings
from .datadir_lock import DataDirLock
from .hr_live_ws import hr_live_ws
from .keyring import Keyring
from .keys import (
    BANNER,
    CLEANUPS,
    FINALIZERS,
    KEYRING,
    LIMITERS,
    MAILER,
    RECORDINGS,
    REGISTRY,
    SCHEDULER,
    SETTINGS,
    SOCKETS,
    STORE,
    Limiters,
)
from .live_feed import FEED, LiveFeed
from .mailer import Mailer
from .metrics import METRICS, Metrics
from .ratelimit import Limiter
from .recordings import Recordings
from .registry import LiveInterviews
from .security import api_errors, origin_check, security_headers
from .store import Store
from .tasks import TaskOwner
from .webhooks import WebhookWorker

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 20.0


def asr_parallelism(settings: Settings) -> tuple[int, int]:
    """(recognitions run at once, CPU threads each uses). `asr_workers` 0 = one per CPU available to
    this process (capacity.available_cpus: affinity, cgroup quota); `asr_threads` 0 = those CPUs
    shared among the workers. Both at least 1. See scoring.scheduler for why one thread per worker."""
    cpus = max(1, int(available_cpus()))
    workers = settings.asr_workers or cpus
    threads = settings.asr_threads or max(1, cpus // workers)
    return workers, threads


def final_workers(settings: Settings) -> int:
    """How many of answers' last windows run at once on the final lane (0: no final lane)."""
    return asr_parallelism(settings)[0] if settings.asr_final_workers is None else settings.asr_final_workers


def load_recognizers(settings: Settings) -> tuple[SpeechRecognizer, SpeechRecognizer | None]:
    """Blocking: verify (assembling on first use) and load the configured Whisper model: for the
    scheduler's shared lane (nicer than the process), and again for its final lane (answers' last
    windows, at the process's priority; about 160 MB more) unless that is turned off."""
    if settings.model == "bundled":
        model_dir = ensure_bundled_model(settings.model_cache_dir)
    else:
        model_dir = verify_model_dir(Path(settings.model))
    workers, threads = asr_parallelism(settings)
    finals = final_workers(settings)
    return (WhisperRecognizer(model_dir, threads=threads, workers=workers),
            WhisperRecognizer(model_dir, threads=threads, workers=finals, niceness=0) if finals else None)


def create_app(settings: Settings, *, recognizer: SpeechRecognizer | None = None) -> web.Application:
    """Build the server. `recognizer` replaces the Whisper model (unit tests pass a fake)."""
    app = web.Application(middlewares=[origin_check, api_errors], client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[BANNER] = []
    app[SOCKETS] = weakref.WeakSet()
    app[LIMITERS] = Limiters(login=Limiter(ratelimit.LOGIN), totp=Limiter(ratelimit.TOTP))
    app[MAILER] = Mailer(settings)
    app[METRICS] = Metrics()
    app.on_response_prepare.append(security_headers)

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = DataDirLock(settings.data_dir)
        lock.acquire()  # one server per data directory; key rotation waits for it to stop
        store = await Store.open(settings.db_path)
        app[STORE] = store
        app[BANNER].extend(await bootstrap.ensure_admin(store))
        if settings.demo:
            app[BANNER].extend(await bootstrap.ensure_demo(store, settings))
        yield
        await store.close()
        lock.release()

    async def recordings_ctx(app: web.Application) -> AsyncIterator[None]:
        keyring = await asyncio.to_thread(Keyring.load, settings.data_dir, settings.master_key)
        app[KEYRING] = keyring
        recordings = Recordings(app[STORE], keyring.ring, settings.data_dir / "recordings")
        app[RECORDINGS] = recordings
        await recordings.repair_unfinished()
        purger = asyncio.create_task(
            retention.purge_daily(app[STORE], recordings, settings.retention_days), name="retention"
        )
        yield
        purger.cancel()
        await asyncio.gather(purger, return_exceptions=True)

    async def webhooks_ctx(app: web.Application) -> AsyncIterator[None]:
        # Stops after the live interviews (their last answers' events are committed by then);
        # whatever is not delivered yet is pending in the database for the next start.
        worker = WebhookWorker(app[STORE], app[KEYRING], retry_base_seconds=settings.webhook_retry_seconds)
        worker.start()
        yield
        await worker.aclose()

    async def asr_ctx(app: web.Application) -> AsyncIterator[None]:
        finals = final_workers(settings)
        shared, final = ((recognizer, recognizer if finals else None) if recognizer is not None
                         else await asyncio.to_thread(load_recognizers, settings))
        workers, threads = asr_parallelism(settings)
        log.info("speech recognition: %d at a time, %d CPU thread(s) each; answers' last windows also %d at a "
                 "time on a second model instance", workers, threads, finals)
        scheduler = TranscriptionScheduler(shared, workers=workers, final_recognizer=final, final_workers=finals,
                                           meters=transcription_meters(app[METRICS]))
        queue_gauges(app[METRICS], scheduler)
        await scheduler.start()
        app[SCHEDULER] = scheduler
        yield
        await scheduler.aclose()

    async def feed_ctx(app: web.Application) -> AsyncIterator[None]:
        # What live interviews tell HR's dashboards; closed after the interviews (their last
        # answers' anomalies are stored) and before the store.
        feed = LiveFeed(EventBus(), app[STORE], TaskOwner("live-feed"))
        app[FEED] = feed
        app[METRICS].gauge("intervox_bus_events_dropped", "Live events dropped by subscribers that fell behind",
                           lambda: feed.bus.dropped)
        app[METRICS].gauge("intervox_bus_subscribers", "Live event subscribers (HR dashboards)", lambda: len(feed.bus))
        yield
        await feed.aclose(timeout=SHUTDOWN_GRACE_SECONDS)

    async def live_ctx(app: web.Application) -> AsyncIterator[None]:
        finalizers = TaskOwner("answer-finalizers")
        app[FINALIZERS] = finalizers
        app[CLEANUPS] = TaskOwner("connection-cleanups")
        app[REGISTRY] = LiveInterviews(store=app[STORE], scheduler=app[SCHEDULER], finalizers=finalizers,
                                       recordings=app[RECORDINGS], settings=settings, feed=app[FEED])
        app[METRICS].gauge("intervox_live_interviews", "Interviews held in memory (connected or in grace)",
                           lambda: len(app[REGISTRY]))
        if waiting := await app[REGISTRY].resume_waiting():
            log.info("%d interview(s) were in progress when the server stopped; waiting for their candidates",
                     waiting)
        yield
        await app[CLEANUPS].aclose(timeout=SHUTDOWN_GRACE_SECONDS)
        await app[REGISTRY].aclose()
        # Answers already finished are transcribed, scored and stored before the store closes.
        await finalizers.aclose(timeout=SHUTDOWN_GRACE_SECONDS)

    async def close_sockets(app: web.Application) -> None:
        sockets = list(app[SOCKETS])
        await asyncio.gather(
            *(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down") for ws in sockets),
            return_exceptions=True,
        )

    app.cleanup_ctx.extend([store_ctx, recordings_ctx, webhooks_ctx, asr_ctx, feed_ctx, live_ctx])
    app.cleanup_ctx.extend([invitation_expiry.sweep_ctx, invite_mail.tasks_ctx])  # need the store and registry
    app.cleanup_ctx.append(admission_ctx)  # seats for live interviews: needs the registry
    app.on_shutdown.append(close_sockets)
    app.add_routes(pages.routes)
    app.add_routes(hr_api.routes)
    app.add_routes(jobs_api.routes)
    app.add_routes(bank_api.routes)
    app.add_routes(invitations_api.routes)
    app.add_routes(totp_api.routes)
    app.add_routes(review_api.routes)
    app.add_routes(admin_api.routes)
    app.add_routes(staff_api.routes)
    app.add_routes(account_api.routes)
    app.add_routes(webhooks_api.routes)
    app.add_routes(analytics_routes)
    app.add_routes(anomaly_routes)
    app.router.add_get("/ws", candidate_ws.candidate_ws)
    app.router.add_get("/ws/hr", hr_live_ws)
    app.router.add_get("/metrics", metrics.handler(settings.metrics_token))
    pages.add_static(app)
    return app
