# SPDX-License-Identifier: MIT
# The rate over time of one bench/fill.sh case: the items the table
# wrote and throttled each second (left axis), its capacity, and
# dynaput's window of requests in flight (right axis).
#
#   gnuplot -e "dat='bench/out/fill-40000.dat'; png='bench/out/fill-40000.png'; cap=40000" bench/fill.gp
#
# dat: "seconds written/s throttled/s window" lines, "?" where dynaput
# wrote no trace line that second (between populate's runs).
set terminal pngcairo size 1000,480 font "sans,10"
set output png
set datafile missing "?"
set title sprintf("populate into a table of %d WCU, 5 ms a write (build/ddbsink -l 5 -J 1 -P -Z)", cap)
set xlabel "seconds from the first write"
set ylabel "items a second"
set y2label "requests in flight allowed (window)"
set yrange [0:cap * 1.15]
set y2range [0:*]
set ytics nomirror
set y2tics
set key below horizontal
set grid ytics
plot dat using 1:2 with lines lw 2 lc rgb "#1f77b4" title "written", \
     dat using 1:3 with impulses lc rgb "#d62728" title "throttled", \
     cap with lines dt 2 lc rgb "#555555" title "capacity", \
     dat using 1:4 axes x1y2 with steps lc rgb "#2ca02c" title "window (right)"
