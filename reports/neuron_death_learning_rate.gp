set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_learning_rate.png"
set title "Dead units at the end against the peak learning rate (mean over seeds; band: min..max)"
set xlabel "peak learning rate (log)"
set ylabel "fraction of all MLP units dead"
set grid
set key outside right top
set autoscale xfix
set logscale x
set xtics ("0.0005" 0.0005, "0.001" 0.001, "0.002" 0.002, "0.004" 0.004, "0.008" 0.008)
set xrange [0.000384615:0.0104]
$d0 << EOD
0.000500000024 0 0 0
0.00100000005 0.0048828125 0.00390625 0.005859375
0.00200000009 0.0774739583 0.0729166667 0.08203125
0.00400000019 0.229492188 0.228515625 0.23046875
0.00800000038 0.278971354 0.271484375 0.286458333
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "dead"
