#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine, for the sweep tests (.ci/run calls it after
# apt-get has installed slurmctld, slurmd, slurm-client and munge; this script installs nothing).
# Needs root. Writes /etc/slurm/slurm.conf only when there is none or it is one this script wrote,
# so a machine that already belongs to a real cluster is left alone. Exits non-zero, saying why,
# when the cluster does not come up; .ci/slurm-down.sh stops it.
set -euo pipefail

MARK="# written by lenses .ci/slurm-up.sh"
CONF=/etc/slurm/slurm.conf
LOG_DIR=/var/log/slurm

log() { printf '[slurm-up] %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "must run as root (it starts munged and the Slurm daemons)"
for cmd in munged slurmctld slurmd sbatch sinfo scontrol; do
  command -v "$cmd" >/dev/null || fail "$cmd not found: apt-get install slurmctld slurmd slurm-client munge"
done
if [[ -e $CONF ]] && ! grep -qF "$MARK" "$CONF"; then
  fail "$CONF exists and was not written by this script; not touching a real cluster's configuration"
fi

# munge: a random key only munge can read, and munged running as the munge user.
if [[ ! -s /etc/munge/munge.key ]]; then
  log "creating a random /etc/munge/munge.key"
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged || fail "munged did not start (see /var/log/munge/munged.log)"
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null | unmunge >/dev/null || fail "munge does not round-trip a credential"
fi

# slurm.conf: this host as controller and only node, with the CPUs and memory slurmd detects.
host=$(hostname -s)
node=$(slurmd -C | head -n1)
[[ $node == NodeName=* ]] || fail "slurmd -C did not describe this node: $node"
node=${node/NodeName=* CPUs/NodeName=$host CPUs}
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd "$LOG_DIR"
cat >"$CONF" <<CONF
$MARK
ClusterName=lenses
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

log "starting slurmctld and slurmd on $host"
pgrep -F /run/slurmctld.pid >/dev/null 2>&1 || slurmctld || fail "slurmctld did not start (see $LOG_DIR/slurmctld.log)"
pgrep -F /run/slurmd.pid >/dev/null 2>&1 || slurmd || fail "slurmd did not start (see $LOG_DIR/slurmd.log)"
for _ in $(seq 100); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  [[ $state == idle* || $state == mix* || $state == alloc* ]] && { log "node $host is $state"; exit 0; }
  sleep 0.2
done
fail "node $host did not become idle (state: '${state:-none}'); see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log"
