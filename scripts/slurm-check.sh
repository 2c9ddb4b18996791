#!/usr/bin/env bash
# `make slurm-check`: runs scripts/slurm/ on a real Slurm cluster of one node started here, as root
# (munged, slurmctld, slurmd; config, state, spool, logs and munge key in a temporary folder, no
# systemd, nothing written to /etc). A 4-task evaluate array over 64 MovingShapes clips runs with
# shard 2 failing on purpose: status must name shard 2 and hold the merge; resubmitting shard 2
# must complete the merge, whose metrics.json must equal one process over the same clips. Then an
# explain --manifest array of 24 skeletons, whose merged joint_importance.json must equal one
# process's too.
# Every daemon and job is stopped on exit, failure included; the temporary folder is removed on
# success (unless SLURM_CHECK_KEEP=1) and kept, its path printed, on failure.
#
# Uses the debug binary of `make test` (built if missing); STEXPLAIN_BIN=path overrides it.
# Installs slurm-wlm and munge from Debian when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$SECONDS
# The exit trap may run inside a redirected command; fd 3 keeps the real standard error for it.
exec 3>&2

say() { echo "slurm-check: $*"; }
fail() {
  echo "slurm-check: $*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "needs root: the check runs munged, slurmctld and slurmd itself"

# Everything goes in one temporary folder, swift's and the jobs' temporary files too (TMPDIR).
# munged wants every folder above its socket searchable by all.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stexplain-slurm-check.XXXXXX")
chmod 755 "$tmp"
export TMPDIR=$tmp
mkdir -p "$tmp"/{munge,state,spool,log,bin}
conf=$tmp/slurm.conf
host=$(hostname -s)
log=$tmp/log/check.log
daemons=()

# Runs a command against this cluster only (SLURM_CONF is not exported to anything else, so the
# processes that carry it are exactly the daemons and jobs of this check).
on_cluster() { SLURM_CONF=$conf "$@"; }

# Pids of every process that belongs to this cluster: the daemons, slurmstepd and the jobs.
cluster_pids() {
  grep -lsxz "SLURM_CONF=$conf" /proc/[0-9]*/environ | cut -d/ -f3 || true
}

stop() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local code=$? i pid left
  set +e
  if [[ ${#daemons[@]} -gt 0 ]]; then
    on_cluster scancel --user=root >/dev/null 2>&1
    for ((i = 0; i < 100; i++)); do
      [[ -z $(on_cluster squeue -h 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
  for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
    stop "${daemons[i]}"
  done
  left=$(cluster_pids | xargs)
  if [[ -n $left ]]; then
    for pid in $left; do stop "$pid"; done
    echo "slurm-check: processes of the cluster were still running and are now stopped: $left" >&3
    code=1
  fi
  if [[ $code -eq 0 && -z ${SLURM_CHECK_KEEP:-} ]]; then
    rm -rf "$tmp"
  elif [[ $code -eq 0 ]]; then
    echo "slurm-check: kept $tmp (SLURM_CHECK_KEEP)" >&3
  else
    echo "slurm-check: failed after $((SECONDS - started)) s; logs in $tmp/log (check.log: the commands' output)" >&3
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/install-deps.sh slurm-wlm munge
if [[ -n ${STEXPLAIN_BIN:-} ]]; then
  bin=$(realpath "$STEXPLAIN_BIN")
else
  swift build --product stexplain >/dev/null || fail "swift build --product stexplain failed"
  bin="$(swift build --show-bin-path)/stexplain"
fi
[[ -x $bin ]] || fail "$bin: no stexplain binary (make test builds it; or set STEXPLAIN_BIN)"
t=$SECONDS

# Ports no one listens on, for slurmctld and slurmd.
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

cat >"$conf" <<EOF
ClusterName=stexplain-check
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
MpiDefault=none
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# The daemons, in the foreground as background jobs, so that $! is the daemon's own pid.
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 600 "$tmp/munge/munge.key"
SLURM_CONF=$conf munged --foreground --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
  --log-file="$tmp/log/munged.log" >"$tmp/log/munged.out" 2>&1 &
daemons+=($!)
for ((i = 0; i < 50; i++)); do
  [[ -S $tmp/munge/munge.socket ]] && break
  sleep 0.1
done
[[ -S $tmp/munge/munge.socket ]] || fail "munged did not start: $(tail -n 1 "$tmp/log/munged.out")"
SLURM_CONF=$conf slurmctld -D -f "$conf" >"$tmp/log/slurmctld.out" 2>&1 &
daemons+=($!)
SLURM_CONF=$conf slurmd -D -f "$conf" >"$tmp/log/slurmd.out" 2>&1 &
daemons+=($!)
for ((i = 0; i < 150; i++)); do
  state=$(on_cluster sinfo -h -n "$host" -o %T 2>/dev/null || true)
  [[ $state == idle ]] && break
  for pid in "${daemons[@]}"; do
    kill -0 "$pid" 2>/dev/null || fail "a daemon exited at start; see $tmp/log"
  done
  sleep 0.2
done
[[ $state == idle ]] || fail "node $host not idle after 30 s (state: ${state:-none}); see $tmp/log"
say "one-node cluster up in $((SECONDS - t)) s: munged, slurmctld and slurmd ($(slurmctld -V)) under $tmp"

# The workload, and one process over the same clips to compare with.
# shellcheck disable=SC2054 # the commas are stexplain's
workload=(--model models/cam3d_small --data moving-shapes --count 64
  --methods gradcam,saliency --metrics pointing-game,masking)
t=$SECONDS
STEXPLAIN_THREADS=1 "$bin" evaluate "${workload[@]}" --quiet --out "$tmp/one" >>"$log" 2>&1 \
  || fail "the one-process evaluate failed; see $log"
say "one process, 64 clips: $((SECONDS - t)) s"

# The binary the tasks run: stexplain, except that shard 2 of 4 fails while the marker exists.
marker=$tmp/fail-shard-2
touch "$marker"
cat >"$tmp/bin/stexplain" <<EOF
#!/usr/bin/env bash
if [[ -e "$marker" && " \$* " == *" --shard 2/4 "* ]]; then
  echo "slurm-check: shard 2 fails on purpose" >&2
  exit 3
fi
exec "$bin" "\$@"
EOF
chmod +x "$tmp/bin/stexplain"

# Submit; the status must report shard 2 failed, its log, and the resubmit command; no merge.
t=$SECONDS
run=$tmp/run
STEXPLAIN=$tmp/bin/stexplain on_cluster scripts/slurm/submit --shards 4 --cpus 1 \
  evaluate "${workload[@]}" --out "$run" >"$tmp/submit.out" 2>&1 || { cat "$tmp/submit.out" >&2; fail "submit failed"; }
cat "$tmp/submit.out" >>"$log"
array_job=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' "$tmp/submit.out")
merge_job=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' "$tmp/submit.out")
[[ -n $array_job && -n $merge_job ]] || fail "submit printed no job ids: $(cat "$tmp/submit.out")"
code=0
on_cluster scripts/slurm/status --wait --interval 1 "$run" >"$tmp/status.out" 2>&1 || code=$?
cat "$tmp/status.out" >>"$log"
[[ $code -eq 1 ]] || fail "status --wait should exit 1 with shard 2 failed, exit $code: $(tail -n 3 "$tmp/status.out")"
grep -q "^  shard 2 failed (exit 3:0), job ${array_job}_2, log $run/slurm/logs/evaluate-${array_job}_2.out\$" "$tmp/status.out" \
  || fail "status did not report shard 2 failed with its log; see $tmp/status.out"
[[ $(grep -c '^  shard ' "$tmp/status.out") -eq 1 ]] || fail "status reported other failed shards; see $tmp/status.out"
grep -q "shard 2 fails on purpose" "$run/slurm/logs/evaluate-${array_job}_2.out" || fail "shard 2's log lacks its error"
resubmit=$(sed -n 's/^re-submit the failed shards: //p' "$tmp/status.out")
[[ $resubmit == "scripts/slurm/resubmit $run 2" ]] || fail "status printed no resubmit command for shard 2 alone: '$resubmit'"
merge_state=$(on_cluster scontrol show job -o "$merge_job" | grep -o 'JobState=[A-Z]*' || true)
[[ $merge_state == JobState=PENDING && ! -e $run/metrics.json ]] || fail "the merge ran although shard 2 failed ($merge_state)"
say "array job $array_job: shard 2 failed on purpose, status named it, merge job $merge_job held ($((SECONDS - t)) s)"

# Resubmit shard 2 with the printed command; the same merge job must then complete.
t=$SECONDS
rm "$marker"
on_cluster bash -c "$resubmit" >>"$log" 2>&1 || fail "'$resubmit' failed; see $log"
code=0
on_cluster scripts/slurm/status --wait --interval 1 "$run" >"$tmp/status.out" 2>&1 || code=$?
cat "$tmp/status.out" >>"$log"
[[ $code -eq 0 ]] || fail "the run did not complete after resubmitting shard 2: $(tail -n 3 "$tmp/status.out")"
grep -q "merge job $merge_job completed" "$tmp/status.out" || fail "merge job $merge_job did not complete; see $tmp/status.out"
grep -q " 1 thread(s)\$" "$run/slurm/logs/evaluate-${array_job}_0.out" || fail "STEXPLAIN_THREADS was not SLURM_CPUS_PER_TASK (1)"
say "resubmitted shard 2, merge job $merge_job completed ($((SECONDS - t)) s)"

# The merged metrics equal the one process's, but for timings and the order of summation.
numbers=$(python3 scripts/slurm-check.py same "$tmp/one/metrics.json" "$run/metrics.json" 2>&1) \
  || fail "the merged metrics differ from one process's: $numbers"
say "merged metrics.json equals one process's ($numbers numbers; timings aside)"

# The explain --manifest array: seed 000's per-class joint importance (ψ_c) of 24 skeletons in 2
# shards of 2 CPUs each (so 2 threads), merged, equals one process's on 2 threads.
t=$SECONDS
"$bin" data --data skeleton-actions --count 24 --out "$tmp/skeletons" >>"$log" 2>&1 || fail "stexplain data failed; see $log"
python3 scripts/slurm-check.py manifest "$tmp/skeletons"
psi=(--model models/stgcn_small --manifest "$tmp/skeletons/manifest.csv" --method gradcam --target label --quiet)
STEXPLAIN_THREADS=2 "$bin" explain "${psi[@]}" --out "$tmp/one-psi" >>"$log" 2>&1 || fail "the one-process explain failed; see $log"
STEXPLAIN=$bin on_cluster scripts/slurm/submit --shards 2 --cpus 2 explain "${psi[@]}" --out "$tmp/psi" >>"$log" 2>&1 \
  || fail "submit of the explain array failed; see $log"
on_cluster scripts/slurm/status --wait --interval 1 "$tmp/psi" >>"$log" 2>&1 || fail "the explain array failed; see $log"
grep -q " 2 thread(s)\$" "$tmp/psi/slurm/logs/"explain-*_1.out || fail "STEXPLAIN_THREADS was not SLURM_CPUS_PER_TASK (2)"
numbers=$(python3 scripts/slurm-check.py same "$tmp/one-psi/joint_importance.json" "$tmp/psi/joint_importance.json" 2>&1) \
  || fail "the merged ψ_c differs from one process's: $numbers"
say "explain --manifest array of 2 shards, merged: joint_importance.json equals one process's ($numbers numbers; $((SECONDS - t)) s)"
say "passed in $((SECONDS - started)) s"
