set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "layerwise_sparsity_ablation_layer0_batch_union.png"
set title "Layer 0: units firing on >= 1 of 8192 probe tokens, per variant (mean; band: min..max over seeds)"
set xlabel "training step"
set ylabel "batch union density of layer 0"
set grid
set key outside right top
set autoscale xfix
set yrange [0:1.05]
$d0 << EOD
0 1 1 1
50 1 1 1
100 1 1 1
150 1 1 1
200 1 1 1
250 1 1 1
300 1 1 1
350 1 1 1
400 1 1 1
450 1 1 1
500 1 1 1
550 1 1 1
600 1 1 1
650 1 1 1
700 1 1 1
750 1 1 1
800 1 1 1
EOD
$d1 << EOD
0 1 1 1
50 1 1 1
100 1 1 1
150 1 1 1
200 1 1 1
250 1 1 1
300 1 1 1
350 1 1 1
400 1 1 1
450 1 1 1
500 1 1 1
550 1 1 1
600 1 1 1
650 1 1 1
700 1 1 1
750 1 1 1
800 1 1 1
EOD
$d2 << EOD
0 1 1 1
50 1 1 1
100 1 1 1
150 1 1 1
200 1 1 1
250 1 1 1
300 1 1 1
350 1 1 1
400 1 1 1
450 1 1 1
500 1 1 1
550 1 1 1
600 1 1 1
650 1 1 1
700 1 1 1
750 1 1 1
800 1 1 1
EOD
$d3 << EOD
0 1 1 1
50 1 1 1
100 1 1 1
150 1 1 1
200 1 1 1
250 1 1 1
300 1 1 1
350 1 1 1
400 1 1 1
450 1 1 1
500 1 1 1
550 1 1 1
600 1 1 1
650 1 1 1
700 1 1 1
750 1 1 1
800 1 1 1
EOD
$d4 << EOD
0 1 1 1
50 1 1 1
100 1 1 1
150 1 1 1
200 1 1 1
250 1 1 1
300 1 1 1
350 1 1 1
400 1 1 1
450 1 1 1
500 1 1 1
550 1 1 1
600 1 1 1
650 1 1 1
700 1 1 1
750 1 1 1
800 1 1 1
EOD
$d5 << EOD
0 1 1 1
50 0.998046875 0.99609375 1
100 1 1 1
150 0.998046875 0.99609375 1
200 0.990234375 0.98828125 0.9921875
250 0.982421875 0.9765625 0.98828125
300 0.931640625 0.91796875 0.9453125
350 0.89453125 0.84375 0.9453125
400 0.8515625 0.7890625 0.9140625
450 0.796875 0.74609375 0.84765625
500 0.765625 0.73046875 0.80078125
550 0.7421875 0.72265625 0.76171875
600 0.71875 0.71484375 0.72265625
650 0.708984375 0.703125 0.71484375
700 0.708984375 0.70703125 0.7109375
750 0.703125 0.69921875 0.70703125
800 0.701171875 0.69921875 0.703125
EOD
$d6 << EOD
0 1 1 1
50 1 1 1
100 1 1 1
150 1 1 1
200 1 1 1
250 1 1 1
300 1 1 1
350 1 1 1
400 1 1 1
450 1 1 1
500 1 1 1
550 1 1 1
600 1 1 1
650 1 1 1
700 1 1 1
750 1 1 1
800 1 1 1
850 1 1 1
900 1 1 1
950 1 1 1
1000 1 1 1
1050 1 1 1
1100 0.998046875 0.99609375 1
1150 1 1 1
1200 1 1 1
1250 1 1 1
1300 1 1 1
1350 1 1 1
1400 1 1 1
1450 0.998046875 0.99609375 1
1500 0.998046875 0.99609375 1
1550 1 1 1
1600 1 1 1
1650 0.998046875 0.99609375 1
1700 1 1 1
1750 1 1 1
1800 0.998046875 0.99609375 1
1850 0.998046875 0.99609375 1
1900 0.99609375 0.99609375 0.99609375
1950 1 1 1
2000 1 1 1
2050 1 1 1
2100 1 1 1
2150 1 1 1
2200 1 1 1
2250 1 1 1
2300 1 1 1
2350 1 1 1
2400 1 1 1
2450 1 1 1
2500 1 1 1
2550 1 1 1
2600 1 1 1
2650 1 1 1
2700 1 1 1
2750 1 1 1
2800 1 1 1
2850 1 1 1
2900 1 1 1
2950 1 1 1
3000 1 1 1
3050 1 1 1
3100 1 1 1
3150 1 1 1
3200 1 1 1
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d5 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#8c564b' notitle, \
     $d6 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#e377c2' notitle, \
     $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "reference", \
     $d1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "d_ff_16x", \
     $d2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "d_ff_32x", \
     $d3 using 1:2 with lines lw 2 lc rgb '#d62728' title "words_4096", \
     $d4 using 1:2 with lines lw 2 lc rgb '#9467bd' title "words_8192", \
     $d5 using 1:2 with lines lw 2 lc rgb '#8c564b' title "post_norm", \
     $d6 using 1:2 with lines lw 2 lc rgb '#e377c2' title "steps_4x"
