#!/usr/bin/env bash
# Stops the daemons .ci/slurm-up.sh started, by their process ids.
SLURM_STATE=${SLURM_STATE:-/tmp/cocreate-slurm}
for f in "$SLURM_STATE/slurmd.pid" "$SLURM_STATE/slurmctld.pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
done
if [ -f "$SLURM_STATE/munged.pid.list" ]; then
    xargs -r kill < "$SLURM_STATE/munged.pid.list" 2>/dev/null
fi
exit 0
