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
1 0.85546875 0.75 0.90625
2 0.8203125 0.73828125 0.875
3 0.77734375 0.70703125 0.83203125
4 0.846875 0.76953125 0.96484375
5 0.9484375 0.90625 0.96875
EOD
$d1 << EOD
0 0.999804687 0.999023438 1
1 0.653515625 0.599609375 0.69921875
2 0.662304688 0.637695312 0.6875
3 0.684765625 0.647460938 0.756835938
4 0.753125 0.6953125 0.810546875
5 0.91328125 0.860351562 0.96484375
EOD
$d2 << EOD
0 1 1 1
1 0.96796875 0.9609375 0.97265625
2 0.8828125 0.85546875 0.9296875
3 0.85 0.8125 0.921875
4 0.83359375 0.78125 0.87890625
5 0.8515625 0.8359375 0.87109375
EOD
$d3 << EOD
0 0.73359375 0.6640625 0.8203125
1 0.72421875 0.609375 0.81640625
2 0.87265625 0.84375 0.90625
3 0.93203125 0.90234375 0.96875
4 0.97109375 0.9453125 0.9921875
5 0.9796875 0.953125 0.9921875
EOD
$d4 << EOD
0 0.99609375 0.9921875 1
1 0.39921875 0.2890625 0.54296875
2 0.6375 0.5078125 0.71484375
3 0.7171875 0.6484375 0.82421875
4 0.80546875 0.70703125 0.90625
5 0.94921875 0.91015625 0.98046875
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "reference", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "d_ff_16x", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "words_4096", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "post_norm", \
     $d4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9467bd' title "steps_4x"
