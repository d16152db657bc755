#!/usr/bin/env bash
# make deps: install the missing Debian packages of deps/debian-packages.txt,
# reserve hugepages, mount hugetlbfs and bpffs. Idempotent; needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HUGEPAGES=${TWP_HUGEPAGES:-1024}   # 2 MiB pages: 2 GiB

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: must run as root (apt-get, hugepages, mounts)" >&2
	exit 1
fi

mapfile -t want < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt")
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "deps: all ${#want[@]} packages present"
fi

# FRR and BIRD are started per test namespace, never as system services.
for svc in bird frr; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
	fi
done

cur=$(cat /proc/sys/vm/nr_hugepages)
if [ "$cur" -lt "$HUGEPAGES" ]; then
	echo "$HUGEPAGES" > /proc/sys/vm/nr_hugepages
	got=$(cat /proc/sys/vm/nr_hugepages)
	[ "$got" -ge 256 ] || { echo "deps: only $got hugepages could be reserved" >&2; exit 1; }
	echo "deps: hugepages $cur -> $got"
fi
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
echo "deps: hugepages $(cat /proc/sys/vm/nr_hugepages), hugetlbfs and bpffs mounted"
