"""The blocking Python echo pair of bench/echo.ts, for reference: `server` prints its port and
echoes with recv/sendall; `client PORT TRIPS WARMUP` times 64 B round trips with
time.perf_counter_ns and prints the median and p99 in microseconds as JSON."""
import json
import socket
import sys
import time


def nodelay(sock):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def serve():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        nodelay(conn)
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)


def client(port, trips, warmup):
    message = b"\x01" * 64
    with nodelay(socket.create_connection(("127.0.0.1", port), timeout=10)) as conn:
        samples = []
        for trip in range(warmup + trips):
            start = time.perf_counter_ns()
            conn.sendall(message)
            got = 0
            while got < 64:
                chunk = conn.recv(64 - got)
                if not chunk:
                    raise SystemExit("server closed")
                got += len(chunk)
            if trip >= warmup:
                samples.append((time.perf_counter_ns() - start) / 1000)
    samples.sort()
    at = lambda q: samples[min(len(samples) - 1, int(len(samples) * q))]
    print(json.dumps({"median": at(0.5), "p99": at(0.99)}))


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve()
    else:
        client(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
