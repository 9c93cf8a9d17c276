# A one-node Slurm cluster on loopback, for tests/slurm_check.sh and
# bench/explore/digits_sweep.sh (sourced by both, not run).
#   slurm_cluster_start DIR PORT   munged, slurmctld and slurmd with a
#                                  generated configuration under DIR (wiped
#                                  first), ports PORT and PORT+1, daemons
#                                  running as the calling user; exports
#                                  SLURM_CONF; returns non-zero with a
#                                  message if a daemon or the node does not
#                                  come up
#   slurm_cluster_stop             stops the daemons started, and only those
#                                  (by the pid files they wrote)
#   slurm_wait_job JOB SECONDS     waits until squeue no longer lists JOB;
#                                  non-zero (and the job cancelled) if it is
#                                  still listed after SECONDS
# Needs Debian's munge and slurm-wlm.

slurm_cluster_dir=

slurm_cluster_stop() {
    local f pid
    [ -n "$slurm_cluster_dir" ] || return 0
    for f in "$slurm_cluster_dir/slurmd.pid" "$slurm_cluster_dir/slurmctld.pid" \
             "$slurm_cluster_dir/munge/munged.pid"; do
        [ -s "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
}

slurm_cluster_start() {
    local d=$1 port=$2 user node=bmcnode tool
    for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
        command -v "$tool" >/dev/null || {
            echo "slurm cluster: $tool not found: apt-get install slurm-wlm munge" >&2
            return 1
        }
    done
    rm -rf "$d"
    mkdir -p "$d/state" "$d/spool" "$d/munge" || return 1
    d=$(cd "$d" && pwd)
    slurm_cluster_dir=$d
    chmod 700 "$d/munge"
    user=$(id -un)

    # munge: a fresh key and a socket of its own.
    dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 600 "$d/munge/munge.key"
    munged --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.socket" \
        --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
        --seed-file="$d/munge/munged.seed" || { echo "slurm cluster: munged did not start" >&2; return 1; }

    cat >"$d/slurm.conf" <<CONF
# Written by tests/slurm_cluster.sh: one node on loopback.
ClusterName=bmccheck
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=check Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$d/slurm.conf
    slurmctld -f "$SLURM_CONF" || { echo "slurm cluster: slurmctld did not start ($d/slurmctld.log)" >&2; return 1; }
    slurmd -f "$SLURM_CONF" -N "$node" || { echo "slurm cluster: slurmd did not start ($d/slurmd.log)" >&2; return 1; }
    for _ in $(seq 1 100); do
        sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && return 0
        sleep 0.3
    done
    echo "slurm cluster: the node did not come up: $(sinfo -N 2>&1)" >&2
    tail -5 "$d/slurmctld.log" "$d/slurmd.log" >&2
    return 1
}

slurm_wait_job() {
    local job=$1 limit=$2
    for _ in $(seq 1 "$limit"); do
        [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && return 0
        sleep 1
    done
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && return 0
    scancel "$job"
    return 1
}
