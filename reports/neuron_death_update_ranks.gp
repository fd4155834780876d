set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_update_ranks.png"
set title "Same-phase update ranks of deaths per layer (pooled runs; a valid null: 10% per bin)"
set xlabel "update rank (fraction of the baseline below)"
set ylabel "fraction of the layer's deaths"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
$d0 << EOD
0 0.513157895
0.1 0.0789473684
0.2 0.0526315789
0.3 0.0614035088
0.4 0.0350877193
0.5 0.0614035088
0.6 0.0438596491
0.7 0.0307017544
0.8 0.0614035088
0.9 0.0614035088
1 0.0614035088
EOD
$d1 << EOD
0 0.317307692
0.1 0.0649038462
0.2 0.0600961538
0.3 0.0504807692
0.4 0.0649038462
0.5 0.0480769231
0.6 0.0528846154
0.7 0.0504807692
0.8 0.151442308
0.9 0.139423077
1 0.139423077
EOD
$d2 << EOD
0 0.24959217
0.1 0.057096248
0.2 0.0505709625
0.3 0.0391517129
0.4 0.0522022838
0.5 0.0603588907
0.6 0.0685154976
0.7 0.0995106036
0.8 0.185970636
0.9 0.137030995
1 0.137030995
EOD
$d3 << EOD
0 0.200680272
0.1 0.0612244898
0.2 0.0544217687
0.3 0.0442176871
0.4 0.0646258503
0.5 0.0850340136
0.6 0.0799319728
0.7 0.132653061
0.8 0.181972789
0.9 0.0952380952
1 0.0952380952
EOD
$d4 << EOD
0 0.203571429
0.1 0.0821428571
0.2 0.0678571429
0.3 0.0678571429
0.4 0.0339285714
0.5 0.0607142857
0.6 0.075
0.7 0.117857143
0.8 0.151785714
0.9 0.139285714
1 0.139285714
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
