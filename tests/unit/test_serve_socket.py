"""The embedded server's listening socket: connections it accepts send small responses at once (no Nagle delay).

With the protocol left at 0, asyncio did not turn Nagle's algorithm off on accepted connections, and every response
on a kept-alive connection waited for the client's delayed ACK (~40 ms)."""

from __future__ import annotations

import asyncio
import socket

from local.commands.serve import bind


def test_accepted_connections_have_nagle_off() -> None:
    listener = bind("127.0.0.1", 0)
    port = listener.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        accepted = asyncio.Event()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()
            accepted.set()

        server = await asyncio.start_server(on_connect, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.wait_for(accepted.wait(), 10)
            writer.close()

    asyncio.run(main())
    assert seen and seen[0] != 0
