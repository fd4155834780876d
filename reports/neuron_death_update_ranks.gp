set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_update_ranks.png"
set title "Death ranks per layer, update (all firing peers) (runs pooled)"
set xlabel "rank (fraction of the null's candidates below)"
set ylabel "fraction of the layer's deaths"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
$d0 << EOD
0 0.592307692
0.1 0.0653846154
0.2 0.0423076923
0.3 0.0538461538
0.4 0.0269230769
0.5 0.0269230769
0.6 0.0192307692
0.7 0.0230769231
0.8 0.0538461538
0.9 0.0961538462
1 0.0961538462
EOD
$d1 << EOD
0 0.425
0.1 0.05625
0.2 0.0375
0.3 0.0354166667
0.4 0.0333333333
0.5 0.0354166667
0.6 0.05625
0.7 0.0333333333
0.8 0.0875
0.9 0.2
1 0.2
EOD
$d2 << EOD
0 0.276497696
0.1 0.069124424
0.2 0.0675883257
0.3 0.0414746544
0.4 0.0430107527
0.5 0.0399385561
0.6 0.0368663594
0.7 0.0583717358
0.8 0.115207373
0.9 0.251920123
1 0.251920123
EOD
$d3 << EOD
0 0.22721598
0.1 0.0711610487
0.2 0.0486891386
0.3 0.0724094881
0.4 0.0461922597
0.5 0.049937578
0.6 0.0449438202
0.7 0.074906367
0.8 0.13732834
0.9 0.22721598
1 0.22721598
EOD
$d4 << EOD
0 0.182926829
0.1 0.0807926829
0.2 0.0625
0.3 0.0655487805
0.4 0.0777439024
0.5 0.0731707317
0.6 0.0640243902
0.7 0.0990853659
0.8 0.106707317
0.9 0.1875
1 0.1875
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
