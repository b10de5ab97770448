# shellcheck shell=bash
# Sourced (bash) by the system tests' result evaluation (tests/xen/evaluate-results.sh,
# iso/boot-test-lib.sh) and by their script tests (tests/scripts/run.sh).
#
# evaluate_results RESULTS REQUIRED ALLOWED
#   RESULTS   file of result lines "PASS|FAIL|SKIP KEY[:] DETAIL" (other lines are ignored)
#   REQUIRED  file of required step keys, one a line (# comments and blank lines ignored)
#   ALLOWED   comma-separated keys or shell patterns (j-*, bios-live/*) whose SKIP is allowed
# Prints every result line, a FAIL line for each required step that was skipped or never
# reported without being allowed (one that is allowed is counted as skipped), a FAIL line when there are no results at all, the skipped
# steps (as allowed / not required), and last, alone on a line, "N passed, N failed, N skipped".
# Returns 0 only when nothing failed. A SKIP of a required step that is not allowed counts as
# failed (not as skipped); a missing required step counts as failed. FAIL lines count as failed
# whether or not the step is required.

# _matches KEY LIST: KEY matches one of LIST's comma-separated patterns.
_matches() {
    local key=$1 pat
    local -a pats
    IFS=, read -ra pats <<< "$2"
    for pat in "${pats[@]}"; do
        pat=${pat## } pat=${pat%% }
        [ -n "$pat" ] || continue
        # shellcheck disable=SC2053 # a pattern on purpose
        [[ $key == $pat ]] && return 0
    done
    return 1
}

evaluate_results() {
    local results=$1 required=$2 allowed=${3:-}
    local n_pass=0 n_fail=0 n_skip=0 n_steps=0 status key detail line
    local -A seen=() skipped_req=()
    local -a req=() allowed_skips=() optional_skips=() bad_skips=() missing=()
    if [ -f "$required" ]; then
        mapfile -t req < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$required" | grep -v '^$')
    fi
    local -A is_req=()
    for key in "${req[@]}"; do is_req[$key]=1; done
    while IFS= read -r line; do
        line=${line%$'\r'}
        [[ $line =~ ^(PASS|FAIL|SKIP)\ +([^ :]+):?(.*)$ ]] || continue
        status=${BASH_REMATCH[1]} key=${BASH_REMATCH[2]} detail=${BASH_REMATCH[3]}
        echo "$line"
        seen[$key]=1
        [ "$key" = run ] || n_steps=$((n_steps + 1))
        case "$status" in
            PASS) n_pass=$((n_pass + 1)) ;;
            FAIL) n_fail=$((n_fail + 1)) ;;
            SKIP)
                if [ -n "${is_req[$key]:-}" ] && ! _matches "$key" "$allowed"; then
                    echo "FAIL $key: a required step was skipped (allow it with --allow-skip $key):$detail"
                    n_fail=$((n_fail + 1))
                    [ -n "${skipped_req[$key]:-}" ] || bad_skips+=("$key")
                    skipped_req[$key]=1
                elif [ -n "${is_req[$key]:-}" ]; then
                    n_skip=$((n_skip + 1)); allowed_skips+=("$key")
                else
                    n_skip=$((n_skip + 1)); optional_skips+=("$key")
                fi ;;
        esac
    done < "$results"
    if [ "$n_steps" -eq 0 ]; then
        echo "FAIL run: no results at all (no PASS, FAIL or SKIP line)"
        n_fail=$((n_fail + 1))
    fi
    for key in "${req[@]}"; do
        [ -z "${seen[$key]:-}" ] || continue
        if _matches "$key" "$allowed"; then
            echo "SKIP $key: never reported (allowed by --allow-skip)"
            n_skip=$((n_skip + 1)); allowed_skips+=("$key")
        else
            echo "FAIL $key: a required step never reported (allow it with --allow-skip $key)"
            n_fail=$((n_fail + 1))
            missing+=("$key")
        fi
    done
    echo "required steps: ${#req[@]}; never reported and not allowed: ${#missing[@]}${missing[*]:+ (${missing[*]})}"
    [ ${#allowed_skips[@]} -eq 0 ] || echo "skipped as allowed (--allow-skip): ${allowed_skips[*]}"
    [ ${#bad_skips[@]} -eq 0 ] || echo "skipped without being allowed (counted as failed): ${bad_skips[*]}"
    [ ${#optional_skips[@]} -eq 0 ] || echo "skipped, not required: ${optional_skips[*]}"
    echo "$n_pass passed, $n_fail failed, $n_skip skipped"
    [ "$n_fail" -eq 0 ]
}
