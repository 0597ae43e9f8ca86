#!/usr/bin/env bash
# Run the web server (gunicorn, 2 workers, 127.0.0.1 only) and the huey worker together;
# stopping one (Ctrl-C) stops both.
set -euo pipefail
port="${1:-8000}"
.venv/bin/python manage.py run_huey --quiet &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn gridgov.wsgi --bind "127.0.0.1:${port}" --workers 2 --access-logfile - \
  --graceful-timeout 5
