#!/usr/bin/env bash
# Stops the one-node Slurm cluster .ci/slurm-up.sh started: cancels its jobs, stops both daemons
# and munged, and removes the configuration and state it wrote (only if this script's sibling
# wrote them).
set -uo pipefail

MARK="# written by lenses .ci/slurm-up.sh"
CONF=/etc/slurm/slurm.conf

log() { printf '[slurm-down] %s\n' "$*" >&2; }

if [[ ! -e $CONF ]] || ! grep -qF "$MARK" "$CONF"; then
  log "no cluster started by .ci/slurm-up.sh here; nothing to stop"
  exit 0
fi
scancel --full --user=root >/dev/null 2>&1 || true
for daemon in slurmd slurmctld; do
  if pid=$(cat "/run/$daemon.pid" 2>/dev/null) && kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped $daemon"
  fi
done
if pid=$(cat /run/munge/munged.pid 2>/dev/null) && kill "$pid" 2>/dev/null; then log "stopped munged"; fi
rm -rf "$CONF" /var/spool/slurmctld /var/spool/slurmd
