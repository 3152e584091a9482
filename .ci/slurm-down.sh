#!/usr/bin/env bash
# Stops the daemons .ci/slurm-up.sh started, by the process ids it recorded.
SLURM_STATE=${SLURM_STATE:-/tmp/cocreate-slurm}
if [ -f "$SLURM_STATE/pids" ]; then
    xargs -r kill < "$SLURM_STATE/pids" 2>/dev/null
    for _ in $(seq 1 25); do
        alive=0
        while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$SLURM_STATE/pids"
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    rm -f "$SLURM_STATE/pids"
fi
exit 0
