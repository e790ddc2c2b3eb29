#!/usr/bin/env bash
# Compares two builds of matchwork on the same inputs, for a change meant to keep behaviour:
# the three default marketplaces (seed 42) with their statistics and backtest tables, then the
# lists a fixed set of requests gets in every mode, from the same store and the same trained
# models (trained once, by OLD). Prints each comparison and exits 1 at the first difference.
#
#     bash Benchmarks/compare-binaries.sh OLD/matchwork NEW/matchwork [WORKDIR]
#
# Each binary needs its resources beside it (the release build directory, or copies of
# matchwork and Matchwork_MatchworkServer.resources). The run takes about 10 minutes on 2 cores.
set -euo pipefail
# The backtest's tuning and neural training visit some dictionaries in hash order, which Swift
# seeds per process: two runs of the same build differ in the last digits (and in the tuned
# weights) unless hashing is made deterministic for both.
export SWIFT_DETERMINISTIC_HASHING=1
old=$1 new=$2
work=${3:-$(mktemp -d)}
data=$(cd "$(dirname "$0")/../../shared/data" && pwd)
mkdir -p "$work"
cd "$work"
same() { # NAME FILE_OLD FILE_NEW
    if cmp -s "$2" "$3"; then echo "same      $1"; else echo "DIFFERENT $1 ($2 vs $3)"; diff "$2" "$3" | head -20; exit 1; fi
}
for scenario in missions cleaning learning; do
    extra=(); [[ $scenario == learning ]] && extra=(--onet "$data/onet")
    for side in old new; do
        bin=$old; [[ $side == new ]] && bin=$new
        rm -rf "$side-$scenario.sqlite"*
        "$bin" generate "$scenario" --seed 42 "${extra[@]}" --store "$side-$scenario.sqlite" --quiet
        "$bin" stats --store "$side-$scenario.sqlite" --json > "$side-$scenario.stats.json"
        "$bin" backtest --store "$side-$scenario.sqlite" --json --quiet > "$side-$scenario.backtest.json"
    done
    same "$scenario statistics" "old-$scenario.stats.json" "new-$scenario.stats.json"
    same "$scenario backtest" "old-$scenario.backtest.json" "new-$scenario.backtest.json"
    # Trained once, by the old build; both recommend from the same store and models.
    "$old" train --store "old-$scenario.sqlite" --model all --quiet > /dev/null 2>&1
    "$old" export --store "old-$scenario.sqlite" --out "export-$scenario" --format jsonl --quiet
    people=$(grep -m 6 -E '"role":"(worker|learner)"' "export-$scenario/people.jsonl" | sed 's/^{"id":"\([^"]*\)".*/\1/')
    jobs=$(grep -m 6 '"status":"open"' "export-$scenario/opportunities.jsonl" | sed 's/^{"id":"\([^"]*\)".*/\1/')
    for side in old new; do
        bin=$old; [[ $side == new ]] && bin=$new
        : > "$side-$scenario.lists.json"
        for mode in rule_based similarity neighbourhood collaborative popularity neural ensemble; do
            for p in $people; do "$bin" recommend --store "old-$scenario.sqlite" --person "$p" --mode "$mode" --count 10 --json >> "$side-$scenario.lists.json"; done
            for o in $jobs; do
                "$bin" recommend --store "old-$scenario.sqlite" --opportunity "$o" --mode "$mode" --count 10 --json >> "$side-$scenario.lists.json"
                "$bin" recommend --store "old-$scenario.sqlite" --opportunity "$o" --mode "$mode" --pool applicants --count 5 --json >> "$side-$scenario.lists.json"
            done
        done
        "$bin" recommend --store "old-$scenario.sqlite" --person "${people%%$'\n'*}" --count 5 --explain > "$side-$scenario.explain.txt"
        "$bin" models --store "old-$scenario.sqlite" > "$side-$scenario.models.txt"
    done
    same "$scenario lists ($(grep -c '"subject"' "old-$scenario.lists.json") requests, 7 modes)" "old-$scenario.lists.json" "new-$scenario.lists.json"
    same "$scenario recommend --explain" "old-$scenario.explain.txt" "new-$scenario.explain.txt"
    same "$scenario models" "old-$scenario.models.txt" "new-$scenario.models.txt"
done
echo "The two builds agree on every comparison (in $work)."
