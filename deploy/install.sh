#!/usr/bin/env bash
# Builds ingestd in release mode and installs it as a systemd service.
#
#   sudo deploy/install.sh            build, install, create the user and directories, daemon-reload
#   deploy/install.sh --dry-run       print what would be done
#   DESTDIR=/tmp/pkg deploy/install.sh --no-build --no-activate    stage files for a package
#   deploy/install.sh --bin-dir DIR   install binaries already built in DIR (implies --no-build)
#
# PREFIX (default /usr/local) and DESTDIR are honoured. An existing /etc/ingestd/ingestd.yaml is
# kept; the new default is written beside it as ingestd.yaml.dist.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
build=1 activate=1 dry=0 bin=""
while (($#)); do
  arg=$1; shift
  case "$arg" in
    --no-build) build=0 ;;
    --bin-dir) bin=$1; build=0; shift ;;
    --no-activate) activate=0 ;;
    --dry-run) dry=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

run() { if ((dry)); then echo "+ $*"; else "$@"; fi; }

if ((build)); then
  run swift build -c release --product ingestd
  run swift build -c release --product ingestctl
fi
[ -n "$bin" ] || bin=$(swift build -c release --show-bin-path)
for tool in ingestd ingestctl; do
  [ -x "$bin/$tool" ] || ((dry)) || { echo "install.sh: $bin/$tool is not built" >&2; exit 1; }
done

run install -d "$DESTDIR$PREFIX/bin" "$DESTDIR/etc/ingestd" "$DESTDIR/etc/systemd/system" \
  "$DESTDIR/etc/sysusers.d" "$DESTDIR/etc/tmpfiles.d" "$DESTDIR$PREFIX/share/doc/ingestd"
run install -m 0755 "$bin/ingestd" "$bin/ingestctl" "$DESTDIR$PREFIX/bin/"
if [ -e "$DESTDIR/etc/ingestd/ingestd.yaml" ]; then
  run install -m 0644 config/ingestd.yaml "$DESTDIR/etc/ingestd/ingestd.yaml.dist"
  echo "kept the existing /etc/ingestd/ingestd.yaml (the new default is ingestd.yaml.dist)"
else
  run install -m 0644 config/ingestd.yaml "$DESTDIR/etc/ingestd/ingestd.yaml"
fi
unit=$(sed "s|/usr/local/bin/ingestd|$PREFIX/bin/ingestd|; s|/usr/local/share/doc|$PREFIX/share/doc|" deploy/ingestd.service)
if ((dry)); then echo "+ write $DESTDIR/etc/systemd/system/ingestd.service"; else
  printf '%s\n' "$unit" > "$DESTDIR/etc/systemd/system/ingestd.service"; fi
run install -m 0644 deploy/ingestd.sysusers.conf "$DESTDIR/etc/sysusers.d/ingestd.conf"
run install -m 0644 deploy/ingestd.tmpfiles.conf "$DESTDIR/etc/tmpfiles.d/ingestd.conf"
run install -m 0644 README.md "$DESTDIR$PREFIX/share/doc/ingestd/README.md"

if ((activate)) && [ -z "$DESTDIR" ]; then
  run systemd-sysusers /etc/sysusers.d/ingestd.conf
  run systemd-tmpfiles --create /etc/tmpfiles.d/ingestd.conf
  run systemctl daemon-reload
fi

cat <<NEXT

ingestd is installed. Next:
  1. Review /etc/ingestd/ingestd.yaml (inbox /srv/ingest/inbox and state /var/lib/ingestd must be on
     one file system).
  2. Let producers drop files:     sudo usermod -aG ingestd <producer-user>
  3. Start it now and at boot:     sudo systemctl enable --now ingestd
  4. Watch it:                     systemctl status ingestd;  journalctl -u ingestd -f
     Failed inputs only:           journalctl -u ingestd INGEST_OUTCOME=failed
  5. Drop a file:                  mv story.txt /srv/ingest/inbox/
Uninstall with deploy/uninstall.sh (add --purge to delete the store and inbox too).
NEXT
