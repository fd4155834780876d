set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_noisy_reliability.png"
set title "ViT reliability diagram, 40.0% of labels flipped (test images, bins pooled over seeds)"
set xlabel "confidence (mean of the bin)"
set ylabel "accuracy"
set grid
set key outside right top
set autoscale xfix
set xrange [0:1]
set yrange [0:1]
$d0 << EOD
0 0
1 1
EOD
$d1 << EOD
0.189209017 0.267759563
0.244682844 0.358084862
0.300048962 0.473489011
0.365437488 0.622688812
0.432138555 0.724972697
0.502907635 0.862494797
0.572968219 0.964532269
0.615562382 0.990184343
EOD
$d2 << EOD
0.186274109 0.231481481
0.243396243 0.332710276
0.303946492 0.472668196
0.366738548 0.600802836
0.433339897 0.721897801
0.501295863 0.861398326
0.573844693 0.962363292
0.612607664 0.994587009
EOD
plot $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "perfectly calibrated", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "ReLU", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "Top-4"
