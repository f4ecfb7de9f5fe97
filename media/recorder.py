"""Recording one part of an answer: encoded frames in, an encrypted WebM part out.

The event loop only hands frames over (`push`, never blocking); a worker thread owned by the
recorder muxes them and writes through the part writer, which encrypts before anything reaches
the disk. The hand-over queue is bounded and counts what it had to drop.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from .tap import EncodedFrame
from .webm import WebmMuxer

log = logging.getLogger(__name__)

_STOP = object()


class PartSink(Protocol):
    """Where the muxed bytes go (the vault's part writer): blocking calls, worker thread only."""

    def write(self, data: bytes) -> None: ...

    def finalize(self) -> Any: ...

    def leave_for_repair(self) -> None: ...


@dataclass(frozen=True)
class RecordedPart:
    sink_result: Any  # what the sink's finalize() returned (sizes, hash)
    duration_seconds: float
    frames: int
    dropped_frames: int
    skipped_frames: int


class PartRecorder:
    def __init__(self, sink: PartSink, *, label: str, max_queued_frames: int = 4096) -> None:
        self._sink = sink
        self._label = label
        self._queue: queue.Queue[Any] = queue.Queue(max_queued_frames)
        self._muxer = WebmMuxer(sink.write)
        self._thread = threading.Thread(target=self._run, name=f"rec-{label}", daemon=True)
        self._done: asyncio.Future[RecordedPart] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.dropped = 0
        self._stopping = False

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._done = self._loop.create_future()
        self._thread.start()

    def push(self, frame: EncodedFrame) -> None:
        """Hand one frame to the worker; if it has fallen behind, drop the frame and count it."""
        if self._stopping:
            return
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        error: BaseException | None = None
        result: RecordedPart | None = None
        try:
            while (item := self._queue.get()) is not _STOP:
                self._muxer.add(item)
            duration = self._muxer.close()
            sink_result = self._sink.finalize()
            result = RecordedPart(sink_result, duration, self._muxer.muxed, self.dropped, self._muxer.skipped)
        except BaseException as exc:  # reported to the awaiting coroutine, never lost in the thread
            error = exc
            try:
                self._sink.leave_for_repair()  # what reached the disk is kept, never deleted
            except Exception:
                log.exception("%s: could not close the part after a failure", self._label)
        self._loop.call_soon_threadsafe(self._settle, result, error)

    def _settle(self, result: RecordedPart | None, error: BaseException | None) -> None:
        if self._done.done():
            return
        if error is not None:
            self._done.set_exception(error)
        else:
            self._done.set_result(result)

    async def stop(self) -> RecordedPart:
        """Finish the part: mux what is queued, close the WebM stream, finalize the file."""
        self._stopping = True
        await asyncio.to_thread(self._queue.put, _STOP)  # may wait for room; never drops the stop
        return await asyncio.shield(self._done)
