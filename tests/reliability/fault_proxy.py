"""A TCP proxy on 127.0.0.1 that delays, drops, resets and truncates connections at random.

Runs an asyncio loop in a daemon thread; every decision comes from one seeded ``random.Random``
used only on that loop, so a seed replays the same sequence of faults (per connection order).
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections import Counter

ACTIONS = ("pass", "delay", "drop", "reset", "truncate", "cut request")
WEIGHTS = (0.35, 0.15, 0.1, 0.15, 0.15, 0.1)
CHUNK = 4096


class FaultProxy:
    def __init__(self, target_port: int, seed: int) -> None:
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.enabled = False
        self.faults: Counter[str] = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(serve())
        self._loop.run_forever()
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        action = self.rng.choices(ACTIONS, WEIGHTS)[0] if self.enabled else "pass"
        budget = self.rng.randrange(0, 3000)  # bytes back to the client before reset/truncate
        delay = self.rng.uniform(0.01, 0.25)
        if action != "pass":
            self.faults[action] += 1
        if action == "drop":
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()  # the server is away: the client sees a closed connection
            return

        async def upstream() -> None:
            try:
                sent = 0
                while data := await reader.read(CHUNK):
                    if action == "cut request" and sent + len(data) > budget:
                        up_writer.write(data[: budget - sent])  # the server sees half a request
                        await up_writer.drain()
                        writer.close()
                        return
                    sent += len(data)
                    if action == "delay":
                        await asyncio.sleep(delay)
                    up_writer.write(data)
                    await up_writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                up_writer.close()

        async def downstream() -> None:
            sent = 0
            try:
                while data := await up_reader.read(CHUNK):
                    if action in ("reset", "truncate") and sent + len(data) > budget:
                        writer.write(data[: budget - sent])
                        await writer.drain()
                        if action == "reset":
                            sock = writer.get_extra_info("socket")
                            if sock is not None:  # SO_LINGER 0: close sends RST
                                sock.setsockopt(
                                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                                )
                        return
                    if action == "delay":
                        await asyncio.sleep(delay)
                    writer.write(data)
                    sent += len(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
        except (TimeoutError, asyncio.CancelledError):
            for task in tasks:
                task.cancel()
        finally:
            up_writer.close()
            writer.close()
