"""The listening socket each `advisor serve --workers N` process serves from.

asyncio turns Nagle's algorithm off (TCP_NODELAY) on a connection only when its listening
socket was made with proto IPPROTO_TCP, as uvicorn's own are. Without it an answer written in
two parts (head, then body) waited for the client's delayed ACK: ~40 ms more per request
with one client on `--workers 2` than on one process.
"""

import asyncio
import socket

from advisor.server import reuse_port_socket


def test_connections_of_a_worker_socket_send_without_delay() -> None:
    sock = reuse_port_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            conn = transport.get_extra_info("socket")
            seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(main())
    assert sock.proto == socket.IPPROTO_TCP
    assert seen and seen[0] != 0
