"""A kernel client that is ready as soon as the kernel is, for nbclient.

jupyter_client's `wait_for_ready`, after the kernel_info reply, drains IOPub until it has been
quiet for 0.2 s: a fixed fifth of a second on every stage's critical path. The kernel's `idle`
status for that kernel_info request, seen on IOPub, proves what the wait is for (IOPub is
connected and nothing sent before it is pending) without waiting."""

from __future__ import annotations

import functools
import time
from queue import Empty


@functools.lru_cache(maxsize=None)
def ready_client_class() -> type:
    """Built on first use: jupyter_client costs ~0.1 s to import."""
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyKernelClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (timeout if timeout is not None else 600)
            while True:
                msg_id = self.kernel_info()
                try:
                    reply = await self._async_recv_reply(msg_id, timeout=1)
                except (TimeoutError, Empty):
                    reply = None
                # IOPub may not be subscribed yet when the kernel answers (ZeroMQ's slow
                # joiner): then the status goes unseen and the handshake starts over.
                if reply is not None and await self._saw_idle(msg_id, timeout=1):
                    self._handle_kernel_info_reply(reply)
                    return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        async def _saw_idle(self, msg_id: str, timeout: float) -> bool:
            end = time.monotonic() + timeout
            while (left := end - time.monotonic()) > 0:
                try:
                    msg = await self.iopub_channel.get_msg(timeout=left)
                except Empty:
                    return False
                if (msg["msg_type"] == "status"
                        and msg["parent_header"].get("msg_id") == msg_id
                        and msg["content"].get("execution_state") == "idle"):
                    return True
            return False

    return ReadyKernelClient
