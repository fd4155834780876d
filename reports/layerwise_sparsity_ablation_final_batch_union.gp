set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "layerwise_sparsity_ablation_final_batch_union.png"
set title "Batch union per layer at the end, per variant (mean; band: min..max over seeds)"
set xlabel "layer"
set ylabel "batch union density"
set grid
set key outside right top
set autoscale xfix
set xtics 1
set yrange [0:1.05]
$d0 << EOD
0 1 1 1
1 0.89453125 0.890625 0.8984375
2 0.8515625 0.8359375 0.8671875
3 0.814453125 0.7890625 0.83984375
4 0.8828125 0.86328125 0.90234375
5 0.95703125 0.94921875 0.96484375
EOD
$d1 << EOD
0 1 1 1
1 0.685546875 0.646484375 0.724609375
2 0.666992188 0.650390625 0.68359375
3 0.661132812 0.626953125 0.6953125
4 0.73046875 0.672851562 0.788085938
5 0.877929688 0.857421875 0.8984375
EOD
$d2 << EOD
0 1 1 1
1 0.644775391 0.611816406 0.677734375
2 0.598632812 0.562011719 0.635253906
3 0.604248047 0.592285156 0.616210938
4 0.793701172 0.742675781 0.844726562
5 0.861328125 0.859863281 0.862792969
EOD
$d3 << EOD
0 1 1 1
1 0.9609375 0.94921875 0.97265625
2 0.884765625 0.8828125 0.88671875
3 0.857421875 0.8359375 0.87890625
4 0.869140625 0.8515625 0.88671875
5 0.859375 0.84375 0.875
EOD
$d4 << EOD
0 1 1 1
1 0.986328125 0.9765625 0.99609375
2 0.884765625 0.8828125 0.88671875
3 0.85546875 0.828125 0.8828125
4 0.845703125 0.84375 0.84765625
5 0.87109375 0.85546875 0.88671875
EOD
$d5 << EOD
0 0.701171875 0.69921875 0.703125
1 0.7265625 0.60546875 0.84765625
2 0.8828125 0.87109375 0.89453125
3 0.931640625 0.9140625 0.94921875
4 0.98828125 0.984375 0.9921875
5 0.9921875 0.9921875 0.9921875
EOD
$d6 << EOD
0 1 1 1
1 0.4375 0.421875 0.453125
2 0.6953125 0.6640625 0.7265625
3 0.765625 0.734375 0.796875
4 0.80859375 0.80859375 0.80859375
5 0.966796875 0.9609375 0.97265625
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d5 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#8c564b' notitle, \
     $d6 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#e377c2' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "reference", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "d_ff_16x", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "d_ff_32x", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "words_4096", \
     $d4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9467bd' title "words_8192", \
     $d5 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#8c564b' title "post_norm", \
     $d6 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#e377c2' title "steps_4x"
