set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_pruning.png"
set title "Held-out loss with units removed (mean over reference runs; band: min..max)"
set xlabel "fraction of all MLP units removed"
set ylabel "held-out loss increase (nats/byte)"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
0.0935329861 -7.94728597e-08 -4.76837158e-07 0
0.124891493 -7.15255737e-07 -3.33786011e-06 4.76837158e-07
0.139431424 2.10603078e-06 -2.12192535e-05 3.0040741e-05
0.213867188 0.000687638919 0.000132322311 0.00128793716
0.32953559 0.0110262235 0.00738787651 0.0148763657
0.591471354 0.168279131 0.11965847 0.252155304
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "loss increase"
