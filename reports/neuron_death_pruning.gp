set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_pruning.png"
set title "Held-out loss with units removed (mean over reference runs; band: min..max)"
set xlabel "fraction of all MLP units removed"
set ylabel "held-out loss increase (nats/byte)"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
0.0954241071 -1.02179391e-07 -2.38418579e-07 0
0.126116071 -4.76837158e-07 -4.76837158e-06 2.38418579e-06
0.144624256 -6.09670367e-06 -7.82012939e-05 1.62124634e-05
0.215866815 0.000778266362 0.000338792801 0.00115633011
0.326264881 0.00944273812 0.00392603874 0.0181612968
0.5859375 0.139028549 0.0898883343 0.22936964
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "loss increase"
