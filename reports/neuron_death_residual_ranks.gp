set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_residual_ranks.png"
set title "Death ranks per layer, residual stream (before the LayerNorm) (runs pooled)"
set xlabel "rank (fraction of the null's candidates below)"
set ylabel "fraction of the layer's deaths"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
$d0 << EOD
0 0.0769230769
0.1 0.0961538462
0.2 0.115384615
0.3 0.0961538462
0.4 0.0846153846
0.5 0.1
0.6 0.107692308
0.7 0.130769231
0.8 0.0846153846
0.9 0.107692308
1 0.107692308
EOD
$d1 << EOD
0 0.075
0.1 0.10625
0.2 0.09375
0.3 0.1125
0.4 0.09375
0.5 0.108333333
0.6 0.108333333
0.7 0.0916666667
0.8 0.1
0.9 0.110416667
1 0.110416667
EOD
$d2 << EOD
0 0.0921658986
0.1 0.0921658986
0.2 0.069124424
0.3 0.0998463902
0.4 0.0998463902
0.5 0.0860215054
0.6 0.0998463902
0.7 0.145929339
0.8 0.107526882
0.9 0.107526882
1 0.107526882
EOD
$d3 << EOD
0 0.108614232
0.1 0.0873907615
0.2 0.0823970037
0.3 0.0911360799
0.4 0.101123596
0.5 0.0823970037
0.6 0.122347066
0.7 0.0861423221
0.8 0.111111111
0.9 0.127340824
1 0.127340824
EOD
$d4 << EOD
0 0.112804878
0.1 0.0990853659
0.2 0.0777439024
0.3 0.115853659
0.4 0.0823170732
0.5 0.105182927
0.6 0.0868902439
0.7 0.0990853659
0.8 0.0990853659
0.9 0.12195122
1 0.12195122
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
