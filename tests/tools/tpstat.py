#!/usr/bin/env python3
"""DPDK telemetry client: connect to a DPDK process's telemetry v2 socket
(AF_UNIX SOCK_SEQPACKET), read its greeting, send one command such as
/twinpath/ports and print the reply JSON. --get a.b prints one value of the
command's result instead (a scalar raw, anything else as JSON).
--until EXPR (with --get) asks again every --every seconds until the
Python expression EXPR of v, the value, holds, for at most --within
seconds: it prints v and the wall clock in ns when it held (exit 0), or
the last v (exit 1). One process for the whole wait: a python3 started
per look took a tenth of a CPU on this 2-core host, beside what is
measured, and answered every quarter second at best.
The socket is /var/run/dpdk/twinpath-INSTANCE/dpdk_telemetry.v2 for
--instance, or the only DPDK telemetry socket there is."""
import argparse
import glob
import json
import socket
import sys
import time

RUN_DIR = "/var/run/dpdk"


def find_socket(args):
    if args.socket:
        return args.socket
    if args.instance:
        return "%s/twinpath-%s/dpdk_telemetry.v2" % (RUN_DIR, args.instance)
    found = glob.glob(RUN_DIR + "/*/dpdk_telemetry.v2")
    if len(found) != 1:
        sys.exit("tpstat: %d telemetry sockets under %s; say --instance or "
                 "--socket" % (len(found), RUN_DIR))
    return found[0]


def query(path, command, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    s.connect(path)
    greeting = json.loads(s.recv(4096).decode())
    bufsize = int(greeting.get("max_output_len", 16384)) + 1
    s.send(command.encode())
    reply = s.recv(bufsize)
    s.close()
    return json.loads(reply.decode())


def value(reply, args):
    """The --get path's value in REPLY ({"<command>": result}), or
    raises KeyError saying what is missing."""
    val = reply.get(args.command.split(",")[0])
    for part in args.get.split("."):
        if not isinstance(val, dict) or part not in val:
            raise KeyError("%s: no %s in %s" % (args.command, args.get,
                                                json.dumps(reply)))
        val = val[part]
    return val


def until(args):
    """--until: 0 once EXPR holds (v and the time printed), 1 if not
    within --within seconds (the last v printed)."""
    path = find_socket(args)
    end = time.monotonic() + args.within
    v = None
    while True:
        try:
            v = value(query(path, args.command, args.timeout), args)
            if eval(args.until, {}, {"v": v}):  # noqa: S307 (test tool)
                print(v, time.time_ns())
                return 0
        except (OSError, ValueError, KeyError):
            pass  # not there yet, or restarting: ask again
        if time.monotonic() >= end:
            print(v if v is not None else "?")
            return 1
        time.sleep(args.every)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", nargs="?", default="/twinpath/ports")
    ap.add_argument("--instance")
    ap.add_argument("--socket")
    ap.add_argument("--get", help="dotted path into the command's result")
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--until", help="with --get: poll until this Python "
                    "expression of v holds")
    ap.add_argument("--every", type=float, default=0.05)
    ap.add_argument("--within", type=float, default=60.0)
    args = ap.parse_args()
    if args.until is not None:
        if args.get is None:
            ap.error("--until needs --get")
        return until(args)
    try:
        reply = query(find_socket(args), args.command, args.timeout)
    except (OSError, ValueError) as e:
        print("tpstat: %s" % e, file=sys.stderr)
        return 1
    if args.get is None:
        print(json.dumps(reply, indent=1, sort_keys=True))
        return 0
    try:
        val = value(reply, args)
    except KeyError as e:
        print("tpstat: %s" % e.args[0], file=sys.stderr)
        return 1
    print(val if isinstance(val, (int, float, str)) else json.dumps(val))
    return 0


if __name__ == "__main__":
    sys.exit(main())
