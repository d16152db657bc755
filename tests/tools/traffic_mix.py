#!/usr/bin/env python3
"""A mix of real TCP (through the namespaces' Linux stacks) and UDP
traffic for the lab, and where each kind of it stalled. One process per
side, one thread each (a selector), Python 3 stdlib only.

  traffic_mix.py server --bind ADDR [--tcp-port 9300] [--udp-port 9301]
                        [--duration S] [--ready-file F]
      TCP: a connection whose first byte is B is a bulk sink (read and
      discarded); R is request/response (64-byte requests, each answered
      with 256 bytes). UDP: a datagram starting with E is echoed back to
      its source, O (one-way) only counted. Exits on SIGINT/SIGTERM or
      after --duration; prints a JSON summary on stdout.

  traffic_mix.py client --server ADDR --duration S --out FILE.json
      [--bulk N] [--bulk-rate BYTES_PER_S] [--rr N] [--rr-rate PER_S]
      [--udp-rr-flows N] [--udp-rr-rate PER_S] [--udp-oneway-flows N]
      [--udp-oneway-rate PER_S] [--sport-base P] [--heavy-tail]
      [--on-off ON_S:OFF_S] [--stall-ms 50] [--seed N]
      Flows are numbered bulk, rr, udp_rr, udp_oneway in that order and
      flow i binds source port sport-base + i, so flows hash over ECMP
      by their ports. --bulk-rate is per connection (0: as fast as TCP
      goes), --rr-rate per connection, the UDP rates in total over their
      flows. --heavy-tail: each bulk connection carries a Pareto-sized
      transfer (alpha --tail-alpha, at least --tail-min bytes), waits
      until the peer ACKed all of it, closes (with a reset, so no
      TIME_WAIT keeps the port) and reconnects after a pause
      (exponential, mean --pause-s). --on-off ON_S:OFF_S: every source
      alternates on and off periods, exponentially distributed around
      ON_S and OFF_S.

Times are CLOCK_MONOTONIC ns, the clock of the lab and the gateway. A
*stall* of a flow is an interval longer than --stall-ms in which it made
no progress while it should have:
  tcp_bulk   data was pending (connecting, or bytes written not yet
             ACKed: SIOCOUTQ > 0) and the ACKed byte count did not grow;
             from the later of the last ACKed progress and the moment data
             became pending, to the next progress;
  tcp_rr     a request was outstanding: from its send to its full answer
             (one request outstanding per connection);
  udp_rr     requests were outstanding and no answer came: from the send
             of the oldest request still unanswered after the last answer
             to the next answer, or to the source's switch to off (an
             answer to request k retires every older request, the switch
             to off all of them: those are lost);
  udp_oneway nothing comes back, so no stalls are measured here (the
             server counts what arrived).
A stall still open at the end is closed at the end time. Each class's
`stalls` is the union of its flows' stalls; `flows` lists every flow with
its source port and its own stalls, since in a link failure only the
flows pinned to that link stall. `pps_est` is a packets-per-second
estimate both ways: bulk bytes / 1448 x 1.5 (data segments and one ACK
for two), 3 per TCP transaction (request, answer, an ACK), 2 per UDP
echo, 1 per one-way datagram."""
import argparse
import errno
import fcntl
import json
import math
import random
import selectors
import signal
import socket
import struct
import sys
import termios
import time

RR_REQ = 64
RR_RESP = 256
UDP_SIZE = 64
CHUNK = 65536
MSS = 1448
# flow index (2 bytes) and sequence number (8) after the kind byte
UDP_HDR = struct.Struct("!cHQ")


def now_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


class Stop(Exception):
    pass


def install_signals(state):
    def handler(signum, frame):
        state["stop"] = True
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


# ---------------------------------------------------------------- server

class ServerConn:
    def __init__(self, sock):
        self.sock = sock
        self.mode = None
        self.inbuf = b""
        self.out = bytearray()


def run_server(args):
    state = {"stop": False}
    install_signals(state)
    sel = selectors.DefaultSelector()
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((args.bind, args.tcp_port))
    lst.listen(512)
    lst.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind((args.bind, args.udp_port))
    udp.setblocking(False)
    sel.register(lst, selectors.EVENT_READ, "listen")
    sel.register(udp, selectors.EVENT_READ, "udp")
    if args.ready_file:
        open(args.ready_file, "w").close()
    stats = {"connections": 0, "bulk_connections": 0, "rr_connections": 0,
             "resets": 0, "bulk_bytes": 0, "rr_transactions": 0,
             "udp_echoed": 0, "udp_oneway": 0, "udp_other": 0}
    start = now_ns()
    end = start + int(args.duration * 1e9) if args.duration else None
    response = b"r" * RR_RESP

    def close(c):
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    while not state["stop"]:
        t = now_ns()
        if end is not None and t >= end:
            break
        timeout = 0.2 if end is None else min(0.2, (end - t) / 1e9)
        for key, ev in sel.select(timeout):
            if key.data == "listen":
                try:
                    s, _ = lst.accept()
                except OSError:
                    continue
                s.setblocking(False)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                stats["connections"] += 1
                sel.register(s, selectors.EVENT_READ, ServerConn(s))
            elif key.data == "udp":
                for _ in range(256):
                    try:
                        data, src = udp.recvfrom(2048)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        continue
                    if data[:1] == b"E":
                        try:
                            udp.sendto(data, src)
                            stats["udp_echoed"] += 1
                        except OSError:
                            pass
                    elif data[:1] == b"O":
                        stats["udp_oneway"] += 1
                    else:
                        stats["udp_other"] += 1
            else:
                c = key.data
                if ev & selectors.EVENT_READ:
                    try:
                        data = c.sock.recv(CHUNK)
                    except (BlockingIOError, InterruptedError):
                        data = None
                    except OSError:
                        stats["resets"] += 1
                        close(c)
                        continue
                    if data == b"":
                        close(c)
                        continue
                    if data:
                        if c.mode is None:
                            c.mode = data[:1]
                            data = data[1:]
                            if c.mode == b"B":
                                stats["bulk_connections"] += 1
                            elif c.mode == b"R":
                                stats["rr_connections"] += 1
                        if c.mode == b"B":
                            stats["bulk_bytes"] += len(data)
                        elif c.mode == b"R":
                            c.inbuf += data
                            n = len(c.inbuf) // RR_REQ
                            if n:
                                c.inbuf = c.inbuf[n * RR_REQ:]
                                c.out += response * n
                                stats["rr_transactions"] += n
                        else:
                            close(c)
                            continue
                if c.out:
                    try:
                        k = c.sock.send(c.out)
                        del c.out[:k]
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        stats["resets"] += 1
                        close(c)
                        continue
                    sel.modify(c.sock, selectors.EVENT_READ |
                               (selectors.EVENT_WRITE if c.out else 0), c)
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    stats["start_ns"] = start
    stats["end_ns"] = now_ns()
    print(json.dumps(stats))


# ---------------------------------------------------------------- client

class OnOff:
    """On/off periods of one source (always on without --on-off)."""

    def __init__(self, rng, spec, t0):
        self.rng = rng
        self.spec = spec
        self.on = True
        self.until = None
        if spec:
            on_s, off_s = spec
            self.on = rng.random() < on_s / (on_s + off_s)
            self.until = t0 + self._period()

    def _period(self):
        mean = self.spec[0] if self.on else self.spec[1]
        return int(self.rng.expovariate(1.0 / mean) * 1e9) if mean > 0 else 0

    def update(self, t):
        """Is the source on at T? Reports a switch to on as 'started'."""
        started = False
        while self.until is not None and t >= self.until:
            self.on = not self.on
            started = started or self.on
            self.until += self._period()
        return self.on, started


class Flow:
    def __init__(self, cls, idx, sport, onoff):
        self.cls = cls
        self.idx = idx
        self.sport = sport
        self.onoff = onoff
        self.stalls = []
        self.wait_since = None  # start of the current wait for progress
        self.done = 0           # bytes ACKed or transactions completed
        self.connections = 0
        self.connect_errors = 0
        self.sent = 0

    def progress(self, t, stall_ns):
        """Progress at T: close the current wait, a stall if long."""
        if self.wait_since is not None and t - self.wait_since > stall_ns:
            self.stalls.append([self.wait_since, t])
        self.wait_since = None


def tcp_socket(sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # close with a reset: no TIME_WAIT holds the source port, so the
    # next connection of the flow can bind it again
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.bind(("0.0.0.0", sport))
    s.setblocking(False)
    return s


class TcpFlow(Flow):
    """A bulk or request/response connection, reconnecting after errors."""

    def __init__(self, cls, idx, sport, onoff, args, rng, server):
        super().__init__(cls, idx, sport, onoff)
        self.args = args
        self.rng = rng
        self.server = server
        self.sock = None
        self.connected = False
        self.retry_at = 0
        # bulk
        self.written = 0        # bytes written on this connection
        self.acked_conn = 0     # of which ACKed
        self.target = None      # heavy tail: this connection's size
        self.allow_t = None     # rate: allowance counted from here
        self.allowed = 0.0
        # rr
        self.next_req = 0
        self.req_sent_at = None
        self.got = 0

    def connect(self, t, sel):
        try:
            self.sock = tcp_socket(self.sport)
        except OSError:
            self.connect_errors += 1
            self.retry_at = t + 1_000_000_000
            return
        rc = self.sock.connect_ex(self.server)
        if rc not in (0, errno.EINPROGRESS):
            self.sock.close()
            self.sock = None
            self.connect_errors += 1
            self.retry_at = t + 1_000_000_000
            return
        self.connected = False
        self.written = self.acked_conn = 0
        self.allow_t = None
        self.allowed = 0.0
        self.req_sent_at = None
        self.got = 0
        self.hello = b"B" if self.cls == "tcp_bulk" else b"R"
        if self.cls == "tcp_bulk" and self.args.heavy_tail:
            self.target = max(self.args.tail_min, int(
                self.rng.paretovariate(self.args.tail_alpha) *
                self.args.tail_min))
            self.target = min(self.target, self.args.tail_max)
        # a connection being set up is pending data
        if self.wait_since is None:
            self.wait_since = t
        sel.register(self.sock, selectors.EVENT_WRITE, self)

    def drop(self, sel, t, pause_ns=1_000_000_000, error=True):
        if self.sock is not None:
            try:
                sel.unregister(self.sock)
            except (KeyError, ValueError):
                pass
            self.sock.close()
        self.sock = None
        self.connected = False
        if error:
            self.connect_errors += 1
        self.retry_at = t + pause_ns

    def on_connected(self, sel, t):
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.drop(sel, t)
            return
        self.connected = True
        self.connections += 1
        self.sock.send(self.hello)  # one byte into an empty buffer
        self.written = 1
        sel.modify(self.sock, selectors.EVENT_READ, self)

    def outq(self):
        try:
            b = fcntl.ioctl(self.sock, termios.TIOCOUTQ, b"\0\0\0\0")
            return struct.unpack("i", b)[0]
        except OSError:
            return 0

    def bulk_step(self, t, on, sel, stall_ns):
        """Write what the rate allows, then account ACKed progress."""
        if not self.connected:
            return
        if on and (self.target is None or self.written - 1 < self.target):
            rate = self.args.bulk_rate
            if rate > 0:
                if self.allow_t is None:
                    self.allow_t = t
                self.allowed = min(self.allowed + (t - self.allow_t) *
                                   rate / 1e9, max(rate * 0.1, CHUNK))
                self.allow_t = t
                want = int(self.allowed)
            else:
                want = CHUNK * 4
            if self.target is not None:
                want = min(want, self.target - (self.written - 1))
            while want > 0:
                n = min(want, CHUNK)
                try:
                    k = self.sock.send(b"\0" * n)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    self.drop(sel, t)
                    return
                self.written += k
                self.allowed -= k
                want -= k
                if k < n:
                    break
        else:
            self.allow_t = None
            self.allowed = 0.0
        q = self.outq()
        acked = max(0, self.written - q - 1)  # not the kind byte
        if acked > self.acked_conn:
            self.done += acked - self.acked_conn
            self.acked_conn = acked
            self.progress(t, stall_ns)
        if q > 0 and self.wait_since is None:
            self.wait_since = t
        if (self.target is not None and q == 0 and
                self.written - 1 >= self.target):
            # the whole transfer is ACKed: close, pause, a new size
            self.drop(sel, t, int(self.rng.expovariate(
                1.0 / self.args.pause_s) * 1e9), error=False)

    def rr_step(self, t, on, sel, stall_ns):
        if not self.connected or self.req_sent_at is not None or not on:
            return
        if t < self.next_req:
            return
        try:
            k = self.sock.send(b"q" * RR_REQ)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.drop(sel, t)
            return
        if k != RR_REQ:  # an empty socket buffer takes 64 bytes
            self.drop(sel, t)
            return
        self.sent += 1
        self.req_sent_at = t
        if self.wait_since is None:
            self.wait_since = t
        period = int(1e9 / self.args.rr_rate) if self.args.rr_rate > 0 else 0
        # no catching up after a wait: the next slot from now
        self.next_req = max(self.next_req + period, t)

    def readable(self, sel, t, stall_ns):
        try:
            data = self.sock.recv(CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.drop(sel, t)
            return
        if not data:
            self.drop(sel, t)
            return
        if self.cls != "tcp_rr":
            return
        self.got += len(data)
        while self.got >= RR_RESP and self.req_sent_at is not None:
            self.got -= RR_RESP
            self.req_sent_at = None
            self.done += 1
            self.progress(t, stall_ns)


class UdpFlow(Flow):
    def __init__(self, cls, idx, sport, onoff, rate, server):
        super().__init__(cls, idx, sport, onoff)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", sport))
        self.sock.connect(server)
        self.sock.setblocking(False)
        self.period = int(1e9 / rate) if rate > 0 else None
        self.next_send = None
        self.seq = 0
        self.outstanding = {}   # seq -> send time
        self.kind = b"E" if cls == "udp_rr" else b"O"
        self.pad = b"\0" * (UDP_SIZE - UDP_HDR.size)
        self.errors = 0

    def step(self, t, on, started, stall_ns):
        if self.period is None or not on:
            self.next_send = None
            if self.outstanding:
                # off: nothing is due any more, and what is still
                # outstanding was lost (an answer takes one RTT)
                self.progress(t, stall_ns)
                self.outstanding.clear()
            return
        if self.next_send is None or started:
            # a random phase, so flows do not send in lockstep
            self.next_send = t + random.randrange(self.period)
            return
        if t - self.next_send > 100_000_000:
            self.next_send = t  # behind by 100 ms: no burst to catch up
        while self.next_send <= t:
            self.seq += 1
            try:
                self.sock.send(UDP_HDR.pack(self.kind, self.idx & 0xffff,
                                            self.seq) + self.pad)
                self.sent += 1
                if self.kind == b"E":
                    self.outstanding[self.seq] = t
                    if self.wait_since is None:
                        self.wait_since = t
            except OSError:
                self.errors += 1
            self.next_send += self.period

    def readable(self, t, stall_ns):
        for _ in range(64):
            try:
                data = self.sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error for an earlier datagram
                self.errors += 1
                continue
            if len(data) < UDP_HDR.size:
                continue
            kind, _, seq = UDP_HDR.unpack_from(data)
            if kind != b"E" or seq not in self.outstanding:
                continue
            self.done += 1
            self.progress(t, stall_ns)
            # older requests still outstanding were lost
            for s in [s for s in self.outstanding if s <= seq]:
                del self.outstanding[s]
            if self.outstanding:
                self.wait_since = min(self.outstanding.values())


def merge(intervals):
    out = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def run_client(args):
    state = {"stop": False}
    install_signals(state)
    rng = random.Random(args.seed)
    random.seed(args.seed)
    server = (args.server, args.tcp_port)
    userver = (args.server, args.udp_port)
    onoff = None
    if args.on_off:
        a, b = args.on_off.split(":")
        onoff = (float(a), float(b))
    stall_ns = int(args.stall_ms * 1e6)
    t0 = now_ns()
    end = t0 + int(args.duration * 1e9)
    flows = []
    idx = 0

    def add(make, n):
        nonlocal idx
        for _ in range(n):
            flows.append(make(idx, args.sport_base + idx,
                              OnOff(random.Random(rng.random()), onoff, t0)))
            idx += 1

    add(lambda i, p, o: TcpFlow("tcp_bulk", i, p, o, args,
                                random.Random(rng.random()), server),
        args.bulk)
    add(lambda i, p, o: TcpFlow("tcp_rr", i, p, o, args,
                                random.Random(rng.random()), server), args.rr)
    n = args.udp_rr_flows
    add(lambda i, p, o: UdpFlow("udp_rr", i, p, o,
                                args.udp_rr_rate / n if n else 0, userver), n)
    n = args.udp_oneway_flows
    add(lambda i, p, o: UdpFlow("udp_oneway", i, p, o,
                                args.udp_oneway_rate / n if n else 0,
                                userver), n)
    sel = selectors.DefaultSelector()
    for f in flows:
        if isinstance(f, UdpFlow):
            sel.register(f.sock, selectors.EVENT_READ, f)
    tcp = [f for f in flows if isinstance(f, TcpFlow)]
    udp = [f for f in flows if isinstance(f, UdpFlow)]
    # how often the loop looks at rates, ACKs and waits: fine enough for
    # a 50 ms stall and a few kpps, coarse enough for a modest CPU
    tick_ns = 2_000_000

    while not state["stop"]:
        t = now_ns()
        if t >= end:
            break
        for f in tcp:
            on, started = f.onoff.update(t)
            if f.sock is None:
                if t >= f.retry_at and (on or f.wait_since is not None):
                    f.connect(t, sel)
                continue
            if not f.connected:
                continue
            if f.cls == "tcp_bulk":
                f.bulk_step(t, on, sel, stall_ns)
            else:
                f.rr_step(t, on, sel, stall_ns)
        for f in udp:
            on, started = f.onoff.update(t)
            f.step(t, on, started, stall_ns)
        wake = t + tick_ns
        for f in udp:
            if f.next_send is not None and f.next_send < wake:
                wake = f.next_send
        timeout = max(0.0, (min(wake, end) - now_ns()) / 1e9)
        for key, ev in sel.select(timeout):
            f = key.data
            t = now_ns()
            if isinstance(f, UdpFlow):
                f.readable(t, stall_ns)
            elif f.sock is key.fileobj:
                if not f.connected:
                    f.on_connected(sel, t)
                else:
                    f.readable(sel, t, stall_ns)
    t_end = now_ns()
    for f in tcp:
        # what an ACK or an answer would still have told us
        if f.cls == "tcp_bulk" and f.connected:
            f.bulk_step(t_end, False, sel, stall_ns)
        if f.sock is not None:
            f.sock.close()
    for f in flows:
        if f.wait_since is not None and t_end - f.wait_since > stall_ns:
            f.stalls.append([f.wait_since, t_end])
        if isinstance(f, UdpFlow):
            f.sock.close()
    dur = (t_end - t0) / 1e9
    classes = {}
    for cls in ("tcp_bulk", "tcp_rr", "udp_rr", "udp_oneway"):
        fl = [f for f in flows if f.cls == cls]
        done = sum(f.done for f in fl)
        sent = sum(f.sent for f in fl)
        c = {"flows": len(fl)}
        if cls == "tcp_bulk":
            c["bytes"] = done
            pps = done / MSS * 1.5 / dur
        elif cls == "tcp_rr":
            c["transactions"] = done
            c["requests"] = sent
            pps = done * 3 / dur
        elif cls == "udp_rr":
            c["transactions"] = done
            c["requests"] = sent
            pps = done * 2 / dur
        else:
            c["datagrams"] = sent
            pps = sent / dur
        c["pps_est"] = round(pps, 1)
        if cls.startswith("tcp"):
            c["connections"] = sum(f.connections for f in fl)
            c["connect_errors"] = sum(f.connect_errors for f in fl)
        c["stalls"] = merge([s for f in fl for s in f.stalls])
        c["stalled_flows"] = sum(1 for f in fl if f.stalls)
        c["max_stall_ms"] = round(max(
            [(b - a) / 1e6 for f in fl for a, b in f.stalls], default=0.0),
            3)
        c["flows_detail"] = [
            {"sport": f.sport, "done": f.done, "sent": f.sent,
             "stalls": f.stalls} for f in fl]
        classes[cls] = c
    out = {"start_ns": t0, "end_ns": t_end, "duration_s": round(dur, 3),
           "stall_ms": args.stall_ms, "server": args.server,
           "sport_base": args.sport_base, "heavy_tail": args.heavy_tail,
           "on_off": args.on_off, "seed": args.seed}
    out.update(classes)
    with open(args.out, "w") as fh:
        json.dump(out, fh)
        fh.write("\n")


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    # before the subcommand too, as tests/lab.sh's lab_listen passes it
    ap.add_argument("--ready-file", dest="ready_file_top", default=None,
                    help=argparse.SUPPRESS)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--bind", required=True)
    s.add_argument("--tcp-port", type=int, default=9300)
    s.add_argument("--udp-port", type=int, default=9301)
    s.add_argument("--duration", type=float, default=None)
    s.add_argument("--ready-file", default=None,
                   help="created once both sockets are bound")
    c = sub.add_parser("client")
    c.add_argument("--server", required=True)
    c.add_argument("--tcp-port", type=int, default=9300)
    c.add_argument("--udp-port", type=int, default=9301)
    c.add_argument("--duration", type=float, required=True)
    c.add_argument("--bulk", type=int, default=0)
    c.add_argument("--bulk-rate", type=float, default=0,
                   help="bytes/s per connection, 0: as fast as TCP goes")
    c.add_argument("--rr", type=int, default=0)
    c.add_argument("--rr-rate", type=float, default=10,
                   help="requests/s per connection")
    c.add_argument("--udp-rr-flows", type=int, default=0)
    c.add_argument("--udp-rr-rate", type=float, default=0,
                   help="requests/s in total")
    c.add_argument("--udp-oneway-flows", type=int, default=0)
    c.add_argument("--udp-oneway-rate", type=float, default=0,
                   help="datagrams/s in total")
    c.add_argument("--sport-base", type=int, default=20000)
    c.add_argument("--heavy-tail", action="store_true")
    c.add_argument("--tail-alpha", type=float, default=1.2)
    c.add_argument("--tail-min", type=int, default=16384)
    c.add_argument("--tail-max", type=int, default=64 << 20)
    c.add_argument("--pause-s", type=float, default=1.0,
                   help="mean pause between heavy-tail transfers")
    c.add_argument("--on-off", default=None, metavar="ON_S:OFF_S")
    c.add_argument("--stall-ms", type=float, default=50)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "server":
        args.ready_file = args.ready_file or args.ready_file_top
        run_server(args)
    else:
        if args.sport_base + args.bulk + args.rr + args.udp_rr_flows + \
                args.udp_oneway_flows > 65536:
            ap.error("source ports past 65535")
        run_client(args)


if __name__ == "__main__":
    main()
