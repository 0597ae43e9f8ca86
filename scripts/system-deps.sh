#!/usr/bin/env bash
# Installs the system packages the suite needs, from Debian, when they are missing:
#   browser  — Chromium and a CJK font for the Playwright tests
#   postgres — a PostgreSQL server for the second CI pass
set -euo pipefail
need=()
for part in "$@"; do
  case "$part" in
    browser)
      [ -x /usr/bin/chromium ] || need+=(chromium)
      fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || need+=(fonts-wqy-microhei) ;;
    postgres)
      command -v pg_ctlcluster >/dev/null || need+=(postgresql) ;;
    *) echo "system-deps: unknown part $part" >&2; exit 2 ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
