# shellcheck shell=bash disable=SC2034 # it sets variables for the scripts that source it
# Sourced by scripts/slurm/submit, status and resubmit (not run on its own).
#
# A run lives in one folder OUT: the merged result in OUT itself, shard i in OUT/shards/i, Slurm's
# logs in OUT/slurm/logs, and the run's jobs in OUT/slurm/jobs, a line per fact, appended as jobs
# are submitted (for a shard, and for the merge, the last line wins):
#   kind evaluate      the stexplain subcommand of the array (evaluate or explain)
#   shards 4           N, the number of shards
#   array 123 0-3      an array job and the shards it runs
#   merge 124          the merge job ("none" when submitted with --no-merge)
# OUT/slurm/array.args and OUT/slurm/merge.args keep the sbatch arguments (NUL-separated, without
# --array and --dependency) so that resubmit repeats exactly what submit asked for.

slurm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=${me:-$(basename "$0")}

die() {
  echo "$me: $*" >&2
  exit 1
}

usage_error() {
  echo "$me: $* (see $0 --help)" >&2
  exit 2
}

# The Slurm states in which a job or task is finished without success (everything but COMPLETED
# and these is still on its way).
is_failed_state() {
  case $1 in
    FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL | BOOT_FAIL | DEADLINE | PREEMPTED | UNKNOWN) return 0 ;;
    *) return 1 ;;
  esac
}

is_active_state() {
  [[ $1 != COMPLETED ]] && ! is_failed_state "$1"
}

# expand_ids SPEC: Slurm's task list ("0-3,5", "1-7:2", "0-31%4") one id a line.
expand_ids() {
  local spec=${1%%'%'*} part range step
  local IFS=,
  for part in $spec; do
    if [[ $part == *-* ]]; then
      range=${part%%:*}
      step=1
      [[ $part == *:* ]] && step=${part#*:}
      seq "${range%-*}" "$step" "${range#*-}"
    else
      echo "$part"
    fi
  done
}

# job_lines ID: "TASK STATE EXIT REASON" for each task of a job ("-" as TASK for a plain job), from
# scontrol (finished jobs stay there for MinJobAge), else from sacct; nothing when neither knows it.
job_lines() {
  local lines
  if lines=$(scontrol show job -o "$1" 2>/dev/null) && [[ -n $lines ]]; then
    awk '{
      task = "-"; state = "UNKNOWN"; code = "-"; reason = "-"
      for (i = 1; i <= NF; i++) {
        key = $i; sub(/=.*/, "", key); value = substr($i, length(key) + 2)
        if (key == "ArrayTaskId") task = value
        else if (key == "JobState") state = value
        else if (key == "ExitCode") code = value
        else if (key == "Reason") reason = value
      }
      print task, state, code, reason
    }' <<<"$lines"
  elif lines=$(sacct -n -P -X -j "$1" -o JobID,State,ExitCode 2>/dev/null) && [[ -n $lines ]]; then
    awk -F'|' '{
      task = "-"
      if (index($1, "_")) { task = substr($1, index($1, "_") + 1); gsub(/[][]/, "", task) }
      split($2, state, " ")
      print task, state[1], $3, "-"
    }' <<<"$lines"
  fi
}

# run_load OUT: reads OUT/slurm/jobs into run, kind, shards, merge_job, array_jobs[], array_sets[].
run_load() {
  run=$(realpath -m "$1")
  [[ -f $run/slurm/jobs ]] || die "$1: no Slurm run here (no slurm/jobs; start one with scripts/slurm/submit)"
  kind='' shards='' merge_job=none
  array_jobs=() array_sets=()
  local key a b
  while read -r key a b; do
    case $key in
      kind) kind=$a ;;
      shards) shards=$a ;;
      array) array_jobs+=("$a") array_sets+=("$b") ;;
      merge) merge_job=$a ;;
    esac
  done <"$run/slurm/jobs"
  [[ $kind =~ ^(evaluate|explain)$ && $shards =~ ^[1-9][0-9]*$ && ${#array_jobs[@]} -gt 0 ]] \
    || die "$run/slurm/jobs: not a record written by scripts/slurm/submit"
}

# The merged result's main file, present once the merge has succeeded.
merged_file() {
  if [[ $kind == evaluate ]]; then echo "$run/metrics.json"; else echo "$run/joint_importance.json"; fi
}

# The file shard ID writes last, present once it has succeeded (its folder alone may hold the
# leftovers of a run that was stopped).
shard_file() {
  if [[ $kind == evaluate ]]; then echo "$run/shards/$1/metrics.json"; else echo "$run/shards/$1/index.html"; fi
}

# run_query (after run_load): the state of every shard from the last array job that ran it, and
# of the merge: shard_state[i], shard_exit[i], shard_job[i], merge_state, merge_exit, merge_reason.
# A task Slurm has forgotten counts as COMPLETED when its output is there, else UNKNOWN (failed).
run_query() {
  scontrol ping >/dev/null 2>&1 || die "cannot reach slurmctld (scontrol ping failed; SLURM_CONF=${SLURM_CONF:-default})"
  shard_state=() shard_exit=() shard_job=()
  local n job task state code reason id
  local -A in_job
  for n in "${!array_jobs[@]}"; do
    job=${array_jobs[n]}
    in_job=()
    for id in $(expand_ids "${array_sets[n]}"); do
      in_job[$id]=1
      shard_state[id]=UNKNOWN shard_exit[id]=- shard_job[id]=$job
    done
    while read -r task state code reason; do
      for id in $(expand_ids "$task"); do
        [[ -n ${in_job[$id]:-} ]] || continue
        shard_state[id]=$state shard_exit[id]=$code
      done
    done < <(job_lines "$job")
  done
  for ((id = 0; id < shards; id++)); do
    if [[ ${shard_state[id]:-UNKNOWN} == UNKNOWN && -f $(shard_file "$id") ]]; then
      shard_state[id]=COMPLETED
    fi
  done
  merge_state=NONE merge_exit=- merge_reason=-
  if [[ $merge_job != none ]]; then
    merge_state=UNKNOWN
    while read -r task state code reason; do
      merge_state=$state merge_exit=$code merge_reason=$reason
    done < <(job_lines "$merge_job")
    [[ $merge_state == UNKNOWN && -f $(merged_file) ]] && merge_state=COMPLETED
  fi
  return 0
}

# The log file of shard ID's last task, and of the merge.
shard_log() { echo "$run/slurm/logs/$kind-${shard_job[$1]}_$1.out"; }
merge_log() { echo "$run/slurm/logs/merge-$merge_job.out"; }

# failed_shards (after run_query): the shards whose last task failed, space-separated.
failed_shards() {
  local id list=()
  for ((id = 0; id < shards; id++)); do
    is_failed_state "${shard_state[id]:-UNKNOWN}" && list+=("$id")
  done
  echo "${list[*]}"
}

# read_args FILE: the NUL-separated arguments in FILE into saved_args[].
read_args() {
  [[ -f $1 ]] || die "$1: missing (the run's saved sbatch arguments)"
  mapfile -d '' -t saved_args <"$1"
}

# submit_job ARGS…: sbatch --parsable, prints the job id alone.
submit_job() {
  local reply
  reply=$(sbatch --parsable "$@") || die "sbatch failed: sbatch $*"
  echo "${reply%%;*}"
}
