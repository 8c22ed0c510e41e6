#!/usr/bin/env bash
# Stops and removes the ingestd service. Data (the store, processed/, failed/, the inbox) and the
# service user are kept unless --purge is given.
#   sudo deploy/uninstall.sh [--purge] [--dry-run]
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
purge=0 dry=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    --dry-run) dry=1 ;;
    *) echo "uninstall.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
run() { if ((dry)); then echo "+ $*"; else "$@"; fi; }

run systemctl disable --now ingestd.service || true
run rm -f /etc/systemd/system/ingestd.service /etc/sysusers.d/ingestd.conf /etc/tmpfiles.d/ingestd.conf
run rm -f "$PREFIX/bin/ingestd" "$PREFIX/bin/ingestctl"
run rm -rf "$PREFIX/share/doc/ingestd"
run systemctl daemon-reload || true
if ((purge)); then
  run rm -rf /var/lib/ingestd /srv/ingest/inbox /etc/ingestd
  run userdel ingestd || true
  run groupdel ingestd || true
  echo "removed ingestd, its data and its user"
else
  echo "removed ingestd; kept /etc/ingestd, /var/lib/ingestd, /srv/ingest/inbox and the ingestd user"
fi
