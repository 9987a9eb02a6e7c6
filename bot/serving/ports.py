"""Which loopback ports are free, and who listens on a port (Linux /proc).

``bot/serving/serve.sh`` and ``bot/serving/scaled.py`` refuse to start on a port another program holds, and
call themselves ready only when the process listening on each port is one they started: a
second assistant answering on the same port must never be mistaken for this one.

``python -m bot.serving.ports free PORT...`` exits 1 with a message (Chinese and English) when one is
taken; ``python -m bot.serving.ports owns PID PORT...`` exits 0 only when every port's listener is PID
or one of its descendants.
"""

from __future__ import annotations

import os
import pathlib
import socket
import sys

PROC = pathlib.Path("/proc")
LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could bind host:port now (as Sanic does, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR: connections in TIME_WAIT do not count, a listener does
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def taken_message(ports: list[int]) -> str:
    listed = "、".join(str(p) for p in ports)
    return (
        f"端口 {listed} 已被占用（可能另一个助手正在运行）。请先停止它，或换端口，例如 "
        f"RASA_PORT=5105 ACTION_PORT=5155 make run。\n"
        f"Port {', '.join(str(p) for p in ports)} already in use (another assistant may be "
        f"running): stop it, or choose other ports, e.g. RASA_PORT=5105 ACTION_PORT=5155 make run."
    )


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def listening(port: int) -> bool:
    """True while any process (of anyone) has a listening socket on the port."""
    return bool(_listening_inodes(port))


def listeners(port: int) -> set[int]:
    """PIDs holding a listening socket on the port (only processes we may inspect)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    found = set()
    for proc in PROC.iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in wanted for fd in (proc / "fd").iterdir()):
                found.add(int(proc.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def _parent(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descends_from(pid: int, ancestor: int) -> bool:
    while pid and pid != 1:
        if pid == ancestor:
            return True
        pid = _parent(pid) or 0
    return pid == ancestor


def owns(pid: int, port: int) -> bool:
    """True when the port's listeners are all pid or its descendants (and there is one)."""
    found = listeners(port)
    return bool(found) and all(descends_from(p, pid) for p in found)


def main(argv: list[str]) -> int:
    command, *args = argv or ["help"]
    if command == "free":
        taken = [int(p) for p in args if not is_free(int(p))]
        if taken:
            print(taken_message(taken), file=sys.stderr)
            return 1
        return 0
    if command == "owns":
        pid, *ports = (int(a) for a in args)
        return 0 if all(owns(pid, port) for port in ports) else 1
    print("usage: python -m bot.serving.ports free PORT... | owns PID PORT...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
