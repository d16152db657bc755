#!/usr/bin/env python3
"""DPDK telemetry client: connect to a DPDK process's telemetry v2 socket
(AF_UNIX SOCK_SEQPACKET), read its greeting, send one command such as
/twinpath/ports and print the reply JSON. --get a.b prints one value of the
command's result instead (a scalar raw, anything else as JSON).
The socket is /var/run/dpdk/twinpath-INSTANCE/dpdk_telemetry.v2 for
--instance, or the only DPDK telemetry socket there is."""
import argparse
import glob
import json
import socket
import sys

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


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", nargs="?", default="/twinpath/ports")
    ap.add_argument("--instance")
    ap.add_argument("--socket")
    ap.add_argument("--get", help="dotted path into the command's result")
    ap.add_argument("--timeout", type=float, default=2.0)
    args = ap.parse_args()
    try:
        reply = query(find_socket(args), args.command, args.timeout)
    except (OSError, ValueError) as e:
        print("tpstat: %s" % e, file=sys.stderr)
        return 1
    if args.get is None:
        print(json.dumps(reply, indent=1, sort_keys=True))
        return 0
    # Reply is {"<command without params>": result}.
    val = reply.get(args.command.split(",")[0])
    for part in args.get.split("."):
        if not isinstance(val, dict) or part not in val:
            print("tpstat: %s: no %s in %s" % (args.command, args.get,
                                               json.dumps(reply)),
                  file=sys.stderr)
            return 1
        val = val[part]
    print(val if isinstance(val, (int, float, str)) else json.dumps(val))
    return 0


if __name__ == "__main__":
    sys.exit(main())
