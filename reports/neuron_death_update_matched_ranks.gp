set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_update_matched_ranks.png"
set title "Death ranks per layer, update (peers as rare) (runs pooled)"
set xlabel "rank (fraction of the null's candidates below)"
set ylabel "fraction of the layer's deaths"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
$d0 << EOD
0 0.346153846
0.1 0.119230769
0.2 0.0846153846
0.3 0.0807692308
0.4 0.0461538462
0.5 0.0576923077
0.6 0.0461538462
0.7 0.0576923077
0.8 0.0846153846
0.9 0.0769230769
1 0.0769230769
EOD
$d1 << EOD
0 0.16875
0.1 0.10625
0.2 0.0875
0.3 0.0791666667
0.4 0.0770833333
0.5 0.0666666667
0.6 0.0833333333
0.7 0.0791666667
0.8 0.152083333
0.9 0.1
1 0.1
EOD
$d2 << EOD
0 0.0967741935
0.1 0.0783410138
0.2 0.0629800307
0.3 0.0829493088
0.4 0.0675883257
0.5 0.0798771121
0.6 0.10906298
0.7 0.115207373
0.8 0.164362519
0.9 0.142857143
1 0.142857143
EOD
$d3 << EOD
0 0.0661672909
0.1 0.0599250936
0.2 0.0624219725
0.3 0.0799001248
0.4 0.0724094881
0.5 0.108614232
0.6 0.119850187
0.7 0.156054931
0.8 0.157303371
0.9 0.117353308
1 0.117353308
EOD
$d4 << EOD
0 0.0533536585
0.1 0.0487804878
0.2 0.0670731707
0.3 0.0777439024
0.4 0.100609756
0.5 0.0853658537
0.6 0.109756098
0.7 0.157012195
0.8 0.163109756
0.9 0.137195122
1 0.137195122
EOD
$d5 << EOD
0 0.1
1 0.1
EOD
plot $d0 using 1:2 with steps lw 2 lc rgb '#1f77b4' title "layer 1", \
     $d1 using 1:2 with steps lw 2 lc rgb '#ff7f0e' title "layer 2", \
     $d2 using 1:2 with steps lw 2 lc rgb '#2ca02c' title "layer 3", \
     $d3 using 1:2 with steps lw 2 lc rgb '#d62728' title "layer 4", \
     $d4 using 1:2 with steps lw 2 lc rgb '#9467bd' title "layer 5", \
     $d5 using 1:2 with lines lw 2 lc rgb '#8c564b' title "uniform null"
