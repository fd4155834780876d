set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_input_ranks.png"
set title "Death ranks per layer, input (after the LayerNorm) (runs pooled)"
set xlabel "rank (fraction of the null's candidates below)"
set ylabel "fraction of the layer's deaths"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
$d0 << EOD
0 0.107692308
0.1 0.138461538
0.2 0.103846154
0.3 0.0884615385
0.4 0.0692307692
0.5 0.107692308
0.6 0.0923076923
0.7 0.0807692308
0.8 0.111538462
0.9 0.1
1 0.1
EOD
$d1 << EOD
0 0.127083333
0.1 0.0875
0.2 0.0916666667
0.3 0.108333333
0.4 0.102083333
0.5 0.0875
0.6 0.08125
0.7 0.1125
0.8 0.10625
0.9 0.0958333333
1 0.0958333333
EOD
$d2 << EOD
0 0.125960061
0.1 0.132104455
0.2 0.0983102919
0.3 0.069124424
0.4 0.102918587
0.5 0.0952380952
0.6 0.122887865
0.7 0.104454685
0.8 0.0737327189
0.9 0.0752688172
1 0.0752688172
EOD
$d3 << EOD
0 0.109862672
0.1 0.122347066
0.2 0.0911360799
0.3 0.0911360799
0.4 0.122347066
0.5 0.107365793
0.6 0.0848938826
0.7 0.0848938826
0.8 0.0774032459
0.9 0.108614232
1 0.108614232
EOD
$d4 << EOD
0 0.131097561
0.1 0.0868902439
0.2 0.108231707
0.3 0.106707317
0.4 0.0868902439
0.5 0.0884146341
0.6 0.120426829
0.7 0.0929878049
0.8 0.074695122
0.9 0.103658537
1 0.103658537
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
