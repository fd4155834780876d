set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_vit_over_training.png"
set title "ViT: token density per layer, held-out (final 82.8%)"
set xlabel "step"
set ylabel "token density"
set grid
set key outside right top
set autoscale xfix
set yrange [0:1]
$d0 << EOD
0 0.504575229 0.496957898 0.51302141
250 0.37792052 0.341254324 0.402936608
500 0.357285792 0.324562848 0.380177408
EOD
$d1 << EOD
0 0.499098223 0.492892534 0.504576445
250 0.330134654 0.282976627 0.420975
500 0.300777352 0.25780952 0.374131233
EOD
$d2 << EOD
0 0.498848188 0.491964489 0.503995836
250 0.302825263 0.249330536 0.378270209
500 0.298396257 0.226419643 0.374411494
EOD
$d3 << EOD
0 0.499379319 0.492265761 0.505336523
250 0.373981893 0.331899911 0.414256573
500 0.373704237 0.330142498 0.397253186
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "layer 0", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "layer 1", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "layer 2", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "layer 3"
