set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "neuron_death_fade.png"
set title "Firing frequency before death, aligned (1674 first deaths; band: quartiles)"
set xlabel "steps before the death"
set ylabel "fraction of tokens fired on"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
-190 0.0824829116 0.00542602548 0.340899661
-170 0.0549560562 0.00225830078 0.265893549
-150 0.0372802727 0.00158691406 0.190869138
-130 0.0203124993 0.000927734363 0.155566402
-110 0.0126098632 0.000415039074 0.10014038
-90 0.00771484384 0.000146484381 0.0592407212
-70 0.00395507808 4.88281257e-05 0.0272888187
-50 0.00142822269 2.44140629e-05 0.0144836425
-30 0.000537109387 0 0.0088623045
-10 0.00048828125 7.32421904e-05 0.00563964853
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "median"
