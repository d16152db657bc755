#!/bin/sh
# systemd-analyze verify on the units as `meson install` puts them, with
# their ExecStart= programs and Documentation= man pages taken from a
# scratch DESTDIR: a unit that names a missing program or page, a bad
# directive or a missing dependency fails. systemd-analyze comes with
# the systemd package, which deps/debian-packages.txt installs: without
# it the test fails rather than skips.
# usage: systemd_verify.sh MESON BUILDDIR SBINDIR MANDIR UNITDIR
meson=$1 build=$2 sbindir=$3 mandir=$4 unitdir=$5
command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "FAIL: no systemd-analyze (the systemd package, deps/debian-packages.txt; make deps installs it)"; exit 1; }
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
"$meson" install -C "$build" --no-rebuild --destdir "$d" --quiet \
	>"$d/install.log" 2>&1 ||
	{ cat "$d/install.log"; echo "FAIL: meson install"; exit 1; }
mkdir "$d/units"
for u in twinpath-dp.service twinpathd.service; do
	[ -f "$d$unitdir/$u" ] || { echo "FAIL: $unitdir/$u not installed"; exit 1; }
	sed "s#$sbindir/#$d$sbindir/#g" "$d$unitdir/$u" >"$d/units/$u"
done
man=yes
command -v man >/dev/null 2>&1 || man=no
out=$(cd "$d/units" && MANPATH="$d$mandir" systemd-analyze verify \
	--man=$man twinpath-dp.service twinpathd.service 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "FAIL: systemd-analyze verify: status $rc"
	exit 1
fi
echo "ok: both units verify (man pages checked: $man)"
