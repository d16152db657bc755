#!/usr/bin/env python3
"""The convergence bench's view of the gateway (bench/convergence/run.sh),
run inside it (gw_exec): twinpathd's control socket (show status, show bgp
summary, show bfd, all --json), twinpath-dp's telemetry (/twinpath/fib)
and twinpathd's /metrics (the FIB digest checks), in one process, so a
poll costs a few socket round trips, not a twinpathctl and a python3 start
each.

  probe.py snap                      one snapshot, JSON
  probe.py wait EXPR [--mark NAME=EXPR ...] [--timeout S] [--interval S]

wait polls until EXPR (Python, over the snapshot `s` and the helpers
below) holds, and prints {"ok", "t_ns", "polls", "marks": {NAME: t_ns of
the first poll where that EXPR held}, "snap": the last snapshot}. t_ns is
CLOCK_MONOTONIC at the poll's start (the clock of fo_fault, fo_send and
the BFD health map), so a time taken from it is late by up to one
interval plus the poll itself."""
import argparse
import json
import socket
import sys
import time
import urllib.request

SOCK = "/run/twinpath/%s.sock"
TEL = "/var/run/dpdk/twinpath-%s/dpdk_telemetry.v2"
METRICS = "http://127.0.0.1:9342/metrics"


def ctl(inst, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(SOCK % inst)
    s.sendall(("json " + cmd + "\n").encode())
    s.shutdown(socket.SHUT_WR)
    buf = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    s.close()
    return json.loads(buf.decode())


def tel(inst, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(TEL % inst)
    g = json.loads(s.recv(4096).decode())
    s.send(cmd.encode())
    r = json.loads(s.recv(int(g.get("max_output_len", 16384)) + 1).decode())
    s.close()
    return r[cmd]


def metrics():
    out = {}
    try:
        with urllib.request.urlopen(METRICS, timeout=5) as r:
            for l in r.read().decode().splitlines():
                if l.startswith("twinpath_fib_digest"):
                    k, v = l.rsplit(" ", 1)
                    out[k] = float(v)
    except OSError:
        pass
    return out


def snap(inst, with_metrics=True):
    t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    s = {"t_ns": t,
         "status": ctl(inst, "show status"),
         "summary": ctl(inst, "show bgp summary"),
         "bfd": ctl(inst, "show bfd"),
         "fib": tel(inst, "/twinpath/fib")}
    if with_metrics:
        s["metrics"] = metrics()
    return s


# helpers for the expressions
def settled(s):
    """no decision waiting, nothing in the outbox, the data plane applied
    every generation sent: twinpath-dp's FIB is twinpathd's model"""
    c = s["status"]["channel"]
    return (s["summary"]["pending"] == 0 and c["outbox_records"] == 0
            and c["generation_sent"] == c["generation_applied"])


def routes(s):
    return s["fib"]["routes_ipv4"]


def nb(s, link, key="state"):
    for n in s["summary"]["neighbors"]:
        if n["link"] == link:
            return n[key]
    return None


def bfd(s, link, key="state"):
    for l in s["bfd"]["links"]:
        if l["name"] == link:
            return l[key]
    return None


def masked(s):
    return s["status"]["pic"]["links_masked"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("op", choices=["snap", "wait"])
    ap.add_argument("expr", nargs="?")
    ap.add_argument("--instance", default="lab")
    ap.add_argument("--mark", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--interval", type=float, default=0.05)
    a = ap.parse_args()
    if a.op == "snap":
        print(json.dumps(snap(a.instance)))
        return 0
    env = {"settled": settled, "routes": routes, "nb": nb, "bfd": bfd,
           "masked": masked}
    marks = dict(m.split("=", 1) for m in a.mark)
    got = {k: None for k in marks}
    end = time.monotonic() + a.timeout
    polls, s, ok, t = 0, None, False, None
    while True:
        try:
            s = snap(a.instance, with_metrics=False)
        except (OSError, ValueError, KeyError):
            s = None  # twinpathd busy or restarting: look again
        polls += 1
        if s is not None:
            env["s"] = s
            for k, e in marks.items():
                if got[k] is None and eval(e, env):
                    got[k] = s["t_ns"]
            if eval(a.expr, env):
                ok, t = True, s["t_ns"]
                break
        if time.monotonic() >= end:
            break
        time.sleep(a.interval)
    if s is not None:
        s["metrics"] = metrics()
    print(json.dumps({"ok": ok, "t_ns": t, "polls": polls, "marks": got,
                      "snap": s}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
