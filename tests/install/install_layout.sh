#!/bin/sh
# `meson install` into a scratch DESTDIR: asserts the exact set of files it
# puts there, and their modes (README, "Install and run under systemd").
# usage: install_layout.sh MESON BUILDDIR SRCDIR SBINDIR PKGLIBDIR DOCDIR MANDIR UNITDIR
meson=$1 build=$2 src=$3 sbindir=$4 pkglibdir=$5 docdir=$6 mandir=$7 unitdir=$8
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
d=$t/dest
"$meson" install -C "$build" --no-rebuild --destdir "$d" --quiet >"$t/log" 2>&1 ||
	{ cat "$t/log"; echo "FAIL: meson install"; exit 1; }

{
	for f in twinpath-dp twinpathd twinpathctl; do
		echo "755 $sbindir/$f"
	done
	echo "644 $pkglibdir/bfd.bpf.o"
	# every scenario of config/ is an example; the lab's are not
	for f in "$src"/config/*.conf; do
		case ${f##*/} in lab-*) continue ;; esac
		echo "644 $docdir/examples/${f##*/}"
	done
	echo "644 $docdir/README.md"
	for f in "$src"/docs/*.md; do
		echo "644 $docdir/docs/${f##*/}"
	done
	for f in twinpath-dp.8 twinpathd.8 twinpathctl.8; do
		echo "644 $mandir/man8/$f"
	done
	echo "644 $mandir/man5/twinpath.conf.5"
	echo "644 $unitdir/twinpath-dp.service"
	echo "644 $unitdir/twinpathd.service"
} | sort -k2 >"$t/want"
(cd "$d" && find . ! -type d -printf '%m /%P\n') | sort -k2 >"$t/got"
if ! diff -u "$t/want" "$t/got"; then
	echo "FAIL: installed files differ (- want, + got)"
	exit 1
fi
echo "ok: $(wc -l <"$t/got") files where they belong"
