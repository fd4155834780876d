set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_input_ranks.png"
set title "Same-phase input ranks of deaths per layer (pooled runs; a valid null: 10% per bin)"
set xlabel "input rank (fraction of the baseline below)"
set ylabel "fraction of the layer's deaths"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
$d0 << EOD
0 0.0657894737
0.1 0.0701754386
0.2 0.0745614035
0.3 0.135964912
0.4 0.175438596
0.5 0.153508772
0.6 0.118421053
0.7 0.0877192982
0.8 0.048245614
0.9 0.0701754386
1 0.0701754386
EOD
$d1 << EOD
0 0.0408653846
0.1 0.0817307692
0.2 0.0769230769
0.3 0.0721153846
0.4 0.286057692
0.5 0.1875
0.6 0.0961538462
0.7 0.0528846154
0.8 0.0576923077
0.9 0.0480769231
1 0.0480769231
EOD
$d2 << EOD
0 0.0146818923
0.1 0.0358890701
0.2 0.0685154976
0.3 0.0815660685
0.4 0.334420881
0.5 0.371941272
0.6 0.0391517129
0.7 0.0163132137
0.8 0.0277324633
0.9 0.00978792822
1 0.00978792822
EOD
$d3 << EOD
0 0.0153061224
0.1 0.0340136054
0.2 0.0408163265
0.3 0.0799319728
0.4 0.37755102
0.5 0.357142857
0.6 0.0493197279
0.7 0.0323129252
0.8 0.0102040816
0.9 0.00340136054
1 0.00340136054
EOD
$d4 << EOD
0 0.0303571429
0.1 0.0375
0.2 0.0357142857
0.3 0.0553571429
0.4 0.5
0.5 0.267857143
0.6 0.0464285714
0.7 0.0160714286
0.8 0.00535714286
0.9 0.00535714286
1 0.00535714286
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
