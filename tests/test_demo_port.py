"""`carebroker demo` starts again at once after being stopped (issue 10 item 11)."""

import socket

from carebroker.demo.supervisor import port_is_free


def _leave_time_wait_on(port: int) -> None:
    """Serve one connection and close it from the server's side, as a stopped gunicorn does:
    the server's end of that connection stays in TIME_WAIT for a minute."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()  # the server closes first: its side goes to TIME_WAIT
            client.recv(1)
    # The listener is closed here: nothing listens on the port any more.


def test_a_port_left_in_time_wait_by_a_stopped_server_counts_as_free():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _leave_time_wait_on(port)
    assert port_is_free("127.0.0.1", port)


def test_a_port_someone_listens_on_is_not_free():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert not port_is_free("127.0.0.1", busy.getsockname()[1])
