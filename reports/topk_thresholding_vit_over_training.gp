set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_vit_over_training.png"
set title "ViT: token density per layer, held-out (final 82.4%)"
set xlabel "step"
set ylabel "token density"
set grid
set key outside right top
set autoscale xfix
set yrange [0:1]
$d0 << EOD
0 0.508470595 0.505071342 0.513021469
250 0.390275836 0.370440692 0.402810514
500 0.383546193 0.374107122 0.395124435
EOD
$d1 << EOD
0 0.499599715 0.492892504 0.504576445
250 0.32123661 0.276163429 0.368904114
500 0.289981425 0.265834183 0.325937808
EOD
$d2 << EOD
0 0.498105347 0.491964489 0.503995776
250 0.32201458 0.293443531 0.339879334
500 0.298673481 0.27121067 0.331761748
EOD
$d3 << EOD
0 0.498131961 0.492265761 0.505336523
250 0.376095295 0.358531922 0.410651743
500 0.391825666 0.390826553 0.393565953
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "layer 0", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "layer 1", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "layer 2", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "layer 3"
