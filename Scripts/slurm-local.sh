#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine (Debian 12's slurmctld, slurmd, slurm-client and munge),
# for trying and testing Slurm job submission without a cluster.
#
#   Scripts/slurm-local.sh start          installs the packages if missing, starts munged, slurmctld and slurmd,
#                                         waits until the node is idle and prints `export SLURM_CONF=...` on stdout
#                                         (progress goes to stderr, so `eval "$(Scripts/slurm-local.sh start)"` works)
#   Scripts/slurm-local.sh status         which daemons run, then sinfo and squeue; exits 3 when not running
#   Scripts/slurm-local.sh stop [--purge] cancels every job, stops the daemons; --purge also deletes the folder
#
# Then:  export SLURM_CONF=/tmp/stylize-slurm/slurm.conf   (the folder's slurm.conf)
#        sbatch --wrap hostname; squeue; scontrol show job <id>
#
# Everything (slurm.conf, munge key and socket, state, spool, logs, pid files) lives in one folder,
# SLURM_LOCAL_DIR (default /tmp/stylize-slurm); the daemons use nothing under /etc, /var or /run.
# Each start is a fresh cluster: jobs do not survive stop/start.
# Other settings: SLURM_LOCAL_PORT (slurmctld's port, slurmd takes the next one; default 6817),
# SLURM_LOCAL_TIMEOUT (seconds to wait for each daemon; default 60).
# start and stop need root (the daemons run as root so that jobs can run as any user); they go through sudo otherwise.
set -euo pipefail
umask 022 # munged refuses a socket or key in a folder that others can write

dir=${SLURM_LOCAL_DIR:-/tmp/stylize-slurm}
port=${SLURM_LOCAL_PORT:-6817}
timeout=${SLURM_LOCAL_TIMEOUT:-60}
# Exported for Slurm's commands here and for the daemons, whose job steps inherit it: stop finds them by it.
export SLURM_CONF=$dir/slurm.conf
socket=$dir/munge/munge.socket
log=$dir/log
# The node is named after the short host name, as slurmctld expects of SlurmctldHost; the node and the controller
# are reached on 127.0.0.1, so that the host name need not resolve.
node=$(uname -n) node=${node%%.*}

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

# Dies showing the end of the logs that say why a daemon failed.
fail() {
    say "$1"
    local f
    for f in "${@:2}"; do
        [ -s "$f" ] && { echo "--- last lines of $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# Files are read with `read`, not $(<file): /proc entries and pid files vanish as processes exit,
# and a failed $(<file) ends the script.

# Whether a pid is a live (not zombie) process named $2: pids get reused.
alive() {
    local comm stat
    read -r comm 2>/dev/null <"/proc/$1/comm" && [ "$comm" = "$2" ] &&
        read -r stat 2>/dev/null <"/proc/$1/stat" && [[ ${stat##*) } != Z* ]]
}

declare -A pidfile=([munged]=$dir/munge/munged.pid [slurmctld]=$dir/slurmctld.pid [slurmd]=$dir/slurmd.pid)
# The daemon's pid, from its pid file, if it runs.
running() {
    local pid
    read -r pid 2>/dev/null <"${pidfile[$1]}" && [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" "$1" && echo "$pid"
}

# Live processes of a name that carry our SLURM_CONF: the daemons, which inherit it from this script, and the job
# steps, which inherit it from slurmd. This finds a daemon before it writes its pid file, and job steps, which
# outlive slurmd.
ours() {
    local f pid
    for f in /proc/[0-9]*/comm; do
        pid=${f#/proc/} pid=${pid%/comm}
        alive "$pid" "$1" && grep -qzxF "SLURM_CONF=$SLURM_CONF" "/proc/$pid/environ" 2>/dev/null && echo "$pid"
    done
    return 0
}

# Runs this script again as root for commands that start or stop daemons.
need_root() {
    [ "$(id -u)" -eq 0 ] && return
    command -v sudo >/dev/null 2>&1 || die "run as root, or install sudo"
    exec sudo env SLURM_LOCAL_DIR="$dir" SLURM_LOCAL_PORT="$port" SLURM_LOCAL_TIMEOUT="$timeout" "$0" "$@"
}

install_packages() {
    local p missing=()
    for p in slurmctld slurmd slurm-client munge; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Runs a check every 0.2 s until it succeeds; fails early, with the daemon's logs, when the daemon died.
wait_for() {
    local description=$1 daemon=$2 since=$SECONDS; shift 2
    local logs=("$log/$daemon.log" "$log/$daemon.out")
    [ "$daemon" != slurmd ] || logs+=("$log/slurmctld.log") # slurmctld's log says why a node is not taken
    until "$@" >/dev/null 2>&1; do
        [ -n "$(ours "$daemon")" ] || fail "$daemon exited while waiting for $description" "${logs[@]}"
        ((SECONDS - since < timeout)) || {
            [ "$daemon" != slurmd ] || sinfo -N -o '%N %T %E' >&2 || true
            fail "timed out after ${timeout}s waiting for $description" "${logs[@]}"
        }
        sleep 0.2
    done
}

munge_works() { munge -n -S "$socket" | unmunge -S "$socket"; }
ctld_up() { scontrol ping | grep -q 'is UP'; }
# Idle (or busy, when slurmd was already running jobs) and not down, drained or unresponsive.
node_ready() { sinfo -h -N -o %T | grep -qxE 'idle|mixed|allocated'; }

write_conf() {
    local cpus memory
    # slurmd -C reports what slurmd will find at registration; more than that would drain the node.
    read -r cpus memory < <(slurmd -C | sed -n '1s/.* CPUs=\([0-9]*\) .* RealMemory=\([0-9]*\).*/\1 \2/p') || true
    [ -n "$cpus" ] || die "could not read the CPU count and memory from 'slurmd -C'"
    cat >"$SLURM_CONF" <<EOF
# Written by Scripts/slurm-local.sh: a single-node cluster whose files all live in $dir.
ClusterName=stylize
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
# Our own munged; Slurm's commands read this line too, so they need nothing but SLURM_CONF.
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$log/slurmctld.log
SlurmdLogFile=$log/slurmd.log
MailProg=/bin/true
# No cgroups: they need systemd or a writable cgroup tree, which containers often lack.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# CPUs (not cores) are what jobs take, and the node is given only its CPU count, so that 1-CPU tasks
# fill every hardware thread side by side; memory is not a consumable, so jobs need no --mem.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Schedule a batch job as soon as it is submitted instead of up to 3 s later.
SchedulerParameters=batch_sched_delay=0
# A cancelled job is killed 5 s after SIGTERM rather than 30, so that stop is quick.
KillWait=5
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    need_root start
    install_packages
    if running munged >/dev/null && running slurmctld >/dev/null && running slurmd >/dev/null; then
        say "already running in $dir"
        echo "export SLURM_CONF=$SLURM_CONF"
        return
    fi
    # The folder is ours alone: a marker keeps start from filling, and stop --purge from deleting, another folder.
    if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/.slurm-local" ]; then
        die "$dir exists and was not made by this script: set SLURM_LOCAL_DIR to another folder"
    fi
    ((${#socket} < 100)) || die "munge's socket path is too long for a Unix socket: $socket (set a shorter SLURM_LOCAL_DIR)"
    mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$log"
    touch "$dir/.slurm-local"
    chmod 755 "$dir" "$dir/munge" # munged wants its socket's folder open to all but writable by none but us
    write_conf

    # Each daemon's log starts afresh, so that the lines shown on a failure are this run's; a pid file left by a
    # killed daemon goes, so that it is not taken for the new one's.
    if ! running munged >/dev/null; then
        : >"$log/munged.log"
        rm -f "${pidfile[munged]}"
        [ -s "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key"
        munged --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
            --log-file="$log/munged.log" --seed-file="$dir/munge/munged.seed" >"$log/munged.out" 2>&1 ||
            fail "munged did not start" "$log/munged.out" "$log/munged.log"
    fi
    wait_for "munge to answer on $socket" munged munge_works

    if ! running slurmctld >/dev/null; then
        : >"$log/slurmctld.log"
        rm -f "${pidfile[slurmctld]}"
        # -c: forget the jobs of an earlier run, which would otherwise show as running forever.
        slurmctld -c >"$log/slurmctld.out" 2>&1 || fail "slurmctld did not start" "$log/slurmctld.out" "$log/slurmctld.log"
    fi
    wait_for "slurmctld to answer" slurmctld ctld_up

    if ! running slurmd >/dev/null; then
        : >"$log/slurmd.log"
        rm -f "${pidfile[slurmd]}"
        slurmd -N "$node" >"$log/slurmd.out" 2>&1 ||
            fail "slurmd did not start" "$log/slurmd.out" "$log/slurmd.log"
    fi
    wait_for "node $node to be idle" slurmd node_ready
    say "running in $dir ($(sinfo -h -o '%D node, %C CPUs allocated/idle/other/total'))"
    echo "export SLURM_CONF=$SLURM_CONF"
}

# The given pids and all their descendants, read from /proc so that procps need not be installed.
with_descendants() {
    local f line rest pid ppid
    local -A kids=()
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$f" || continue
        rest=${line##*) } pid=${f#/proc/} pid=${pid%/stat}
        read -r _ ppid _ <<<"$rest"
        kids[$ppid]+=" $pid"
    done
    local -a queue=("$@")
    while ((${#queue[@]})); do
        pid=${queue[0]} queue=("${queue[@]:1}")
        echo "$pid"
        # shellcheck disable=SC2206 # the list is pids separated by spaces
        queue+=(${kids[$pid]:-})
    done
}

# SIGTERM, then SIGKILL if the daemon is still there after 10 s.
stop_daemon() {
    local name=$1 pid i
    pid=$(running "$name") || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        running "$name" >/dev/null || { say "stopped $name"; return 0; }
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    say "killed $name (it ignored SIGTERM for 10 s)"
}

stop() {
    local purge=false
    case ${1:-} in
    --purge) purge=true ;;
    "") ;;
    *) usage ;;
    esac
    need_root stop "$@"
    local jobs pids i
    if running slurmctld >/dev/null && ctld_up 2>/dev/null; then
        jobs=$(squeue -h -o %A | sort -u | tr '\n' ' ')
        if [ -n "$jobs" ]; then
            say "cancelling jobs $jobs"
            # shellcheck disable=SC2086 # one job id per word
            scancel $jobs || true
            # KillWait (5 s) after SIGTERM the steps get SIGKILL; give them a little longer.
            for ((i = 0; i < 50; i++)); do
                [ -z "$(ours slurmstepd)" ] && break
                sleep 0.2
            done
        fi
    fi
    stop_daemon slurmd
    stop_daemon slurmctld
    pids=$(ours slurmstepd)
    if [ -n "$pids" ]; then
        say "killing job steps left behind: ${pids//$'\n'/ }"
        # shellcheck disable=SC2046,SC2086 # pids, one a word
        kill -KILL $(with_descendants $pids) 2>/dev/null || true
    fi
    stop_daemon munged
    if $purge && [ -d "$dir" ]; then
        [ -e "$dir/.slurm-local" ] || die "not deleting $dir: it was not made by this script"
        rm -rf "$dir"
        say "deleted $dir"
    fi
}

status() {
    local name pid up=0
    for name in munged slurmctld slurmd; do
        if pid=$(running "$name"); then
            echo "$name: running (pid $pid)"
            up=$((up + 1))
        else
            echo "$name: not running"
        fi
    done
    echo "folder: $dir"
    if running slurmctld >/dev/null; then
        echo "export SLURM_CONF=$SLURM_CONF"
        sinfo || true
        squeue || true
    fi
    ((up == 3)) || exit 3
}

case ${1:-} in
start) (($# == 1)) || usage; start ;;
stop) shift; (($# <= 1)) || usage; stop "$@" ;;
status) (($# == 1)) || usage; status ;;
*) usage ;;
esac
