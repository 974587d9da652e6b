"""The tutorial's UDP chat (CLASSIC.md, program 3) as the course writes it, for the interop test.

It binds, prints READY <port> for the test, then for each line typed: sendto(text.encode('utf-8'),
peer), recvfrom(1024), and prints "(ip, port):text" after decode('utf-8'). The peer's port is argv[1].
"""

import socket
import sys


def main():
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_socket.bind(("127.0.0.1", 0))
    print("READY", udp_socket.getsockname()[1], flush=True)
    dest_addr = ("127.0.0.1", int(sys.argv[1]))
    for send_data in sys.stdin:  # the course reads input(); here the test types the lines
        udp_socket.sendto(send_data.rstrip("\n").encode("utf-8"), dest_addr)
        recv_data, addr = udp_socket.recvfrom(1024)
        print("%s:%s" % (str(addr), recv_data.decode("utf-8")), flush=True)
    udp_socket.close()


main()
