#!/usr/bin/env bash
# Starts a one-node Slurm cluster on 127.0.0.1 (munged, slurmctld, slurmd)
# with a generated minimal slurm.conf under $SLURM_DIR, as root. Prints the
# SLURM_CONF clients need. `cluster.sh stop` stops what it started.
set -euo pipefail
SLURM_DIR=${SLURM_DIR:-/tmp/curate-slurm}
conf=$SLURM_DIR/slurm.conf

stop() {
  for p in slurmd slurmctld munged; do
    if [ -f "$SLURM_DIR/$p.pid" ]; then
      kill "$(cat "$SLURM_DIR/$p.pid")" 2>/dev/null || true
      rm -f "$SLURM_DIR/$p.pid"
    fi
  done
}
if [ "${1:-}" = stop ]; then stop; exit 0; fi

mkdir -p "$SLURM_DIR"/{state,spool,log}
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024/2)}' /proc/meminfo)

# munge: a random key of its own, owner munge, mode 400, daemon first.
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
chmod 400 /etc/munge/munge.key
chmod 755 /run/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  pgrep -u munge -n munged > "$SLURM_DIR/munged.pid"
fi

cat > "$conf" <<CONF
ClusterName=curate-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MaxArraySize=1001
KillWait=5
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
if ! scontrol ping >/dev/null 2>&1; then
  /usr/sbin/slurmctld -f "$conf" -c
  /usr/sbin/slurmd -f "$conf" -c
fi
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then
    echo "SLURM_CONF=$conf"
    exit 0
  fi
  sleep 1
done
echo "slurm did not come up; logs in $SLURM_DIR/log" >&2
sinfo >&2 || true
exit 1
