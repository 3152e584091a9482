#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this machine for the sweep tests:
# installs slurm-wlm and munge if missing, writes a minimal configuration,
# and starts munged, slurmctld and slurmd. Their process ids go to
# $SLURM_STATE/pids for .ci/slurm-down.sh. Idempotent. Needs root.
set -euo pipefail
SLURM_STATE=${SLURM_STATE:-/tmp/cocreate-slurm}
mkdir -p "$SLURM_STATE"
if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi
host=$(hostname)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
cpus=$(nproc)
mkdir -p /etc/slurm /run/munge /var/spool/slurmd /var/spool/slurmctld /var/log/slurm
chown munge:munge /run/munge 2>/dev/null || true
if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
fi
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=cocreate-ci
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid 2>/dev/null || munged --force
fi
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd -N "$host"
# the process ids that .ci/slurm-down.sh stops
pgrep -x 'munged|slurmctld|slurmscriptd|slurmd' > "$SLURM_STATE/pids"
for _ in $(seq 1 50); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
        echo "slurm: one-node cluster $host up"
        exit 0
    fi
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 0.2
done
echo "slurm: the cluster did not come up" >&2
sinfo >&2 || true
exit 1
