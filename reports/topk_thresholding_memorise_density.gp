set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_memorise_density.png"
set title "Token density (mean over layers) on the test images"
set xlabel "step"
set ylabel "token density"
set grid
set key outside right top
set autoscale xfix
set yrange [0:1]
$d0 << EOD
0 0.50047524 0.498603143 0.502359636
750 0.23079401 0.221380308 0.25060581
1500 0.237808808 0.221517399 0.258454125
EOD
$d1 << EOD
0 0.50047524 0.498603143 0.502359636
750 0.264922744 0.233094335 0.303801879
1500 0.260486719 0.23029948 0.290878002
EOD
$d2 << EOD
0 0.50047524 0.498603143 0.502359636
750 0.278959009 0.235293932 0.335209496
1500 0.275787777 0.232343946 0.329030678
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "clean", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "noise40", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "random_labels"
