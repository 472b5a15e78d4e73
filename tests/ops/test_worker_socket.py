"""A connection as a worker of `advisor serve --workers N` gets it: accepted by the supervisor
from its listening socket, handed over the worker's channel (SCM_RIGHTS), served by asyncio.

asyncio turns Nagle's algorithm off (TCP_NODELAY) on a connection only when its socket says it
is IPPROTO_TCP, as uvicorn's own are. Without it an answer written in two parts (head, then
body) waited for the client's delayed ACK: ~40 ms more per request with one client on
`--workers 2` than on one process. The handed socket must keep that.
"""

import asyncio
import socket

import pytest

from advisor.server import Supervisor, channel_pair, hand, listening_socket, received


def test_a_handed_connection_is_served_without_delay() -> None:
    listener = listening_socket("127.0.0.1", 0)
    ours, theirs = channel_pair()
    seen: list[int] = []
    client = socket.create_connection(listener.getsockname())
    try:
        listener.setblocking(True)
        conn, _ = listener.accept()
        with conn:
            hand(ours, conn)  # the supervisor's copy is closed: the worker's stays open
        theirs.setblocking(False)
        handed = received(theirs)
        assert handed is not None and len(handed) == 1

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.write(b"served")
                transport.close()

        async def main() -> None:
            await asyncio.get_running_loop().connect_accepted_socket(Probe, handed[0])
            await asyncio.sleep(0.05)

        asyncio.run(main())
        client.settimeout(10)
        assert client.recv(16) == b"served"  # the client's connection is the handed one
    finally:
        client.close()
        listener.close()
        ours.close()
        theirs.close()
    assert handed[0].proto == socket.IPPROTO_TCP
    assert seen and seen[0] != 0


def test_a_worker_channel_reads_none_once_the_supervisor_end_is_closed() -> None:
    ours, theirs = channel_pair()
    theirs.setblocking(False)
    assert received(theirs) == []  # open, nothing handed yet
    ours.close()
    assert received(theirs) is None
    theirs.close()


def test_a_system_without_socket_pairs_for_connections_gets_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*_args: object) -> None:
        raise OSError(93, "Protocol not supported")

    monkeypatch.setattr(socket, "socketpair", refused)
    with pytest.raises(SystemExit, match="--workers N > 1 needs Unix socket pairs"):
        Supervisor("127.0.0.1", 0, 2)
