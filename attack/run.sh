#!/bin/bash
# run.sh FILE... : validate each with 1 and 2 threads, under time -v and ulimit -v 4000000
H=${H:-/work/bench/target/release/hubsel}
for f in "$@"; do
  n=$(basename $f .osm.pbf)
  for t in 1 2; do
    d=/tmp/rv_out/$n.$t; rm -rf $d $d.o; mkdir -p $d
    ( ulimit -v 4000000; RAYON_NUM_THREADS=$t nice -n 10 /usr/bin/time -v $H validate --pbf $f --out $d.o --force > $d/stdout 2> $d/stderr; echo $? > $d/rc )
  done
  a=/tmp/rv_out/$n.1; b=/tmp/rv_out/$n.2
  rss=$(grep "Maximum resident" $a/stderr | awk '{print $NF}')
  wall=$(grep "Elapsed" $a/stderr | awk '{print $NF}')
  usr=$(grep "User time" $a/stderr | awk '{print $NF}')
  same=same; cmp -s <(sed "s/\.[12]\.o//" $a/stdout) <(sed "s/\.[12]\.o//" $b/stdout) || same=DIFF-stdout
  cmp -s $a.o/rejects.csv $b.o/rejects.csv 2>/dev/null || [ ! -e $a.o/rejects.csv ] || same=DIFF-rejects
  diff <(grep -v -E "Command being timed|time|Maximum|Minor|Major|context|faults|Percent|File system|Exit|Average|Page|Socket|Signals|Swaps" $a/stderr) <(grep -v -E "Command being timed|time|Maximum|Minor|Major|context|faults|Percent|File system|Exit|Average|Page|Socket|Signals|Swaps" $b/stderr) >/dev/null || same="$same DIFF-stderr"
  pan=""; grep -q -i "panick" $a/stderr $b/stderr && pan=PANIC
  msg=$(grep -v -E "^\s|^Command" $a/stderr | grep -i -E "error|cut|twice" | head -1 | cut -c1-220)
  echo "$n rc=$(cat $a/rc)/$(cat $b/rc) rss=${rss}K wall=$wall user=$usr $same $pan | $(tail -n +1 $a/stdout | head -1 | cut -c1-100) | $msg"; grep -h panick $a/stderr | head -2
done
