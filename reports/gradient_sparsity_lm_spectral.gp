set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "gradient_sparsity_lm_spectral.png"
set title "LM: fc1 eigenvalues above 10 x mean"
set xlabel "training step"
set ylabel "count (mean over layers)"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
0 0 0 0
50 1.65 1.25 2.25
100 3.8 3.5 4.25
150 5.1 4.75 5.5
200 5.55 5.25 5.75
250 6 5.25 6.5
300 6.15 5.75 6.75
350 6.1 5.5 6.5
400 6.15 5.75 6.5
450 6.2 5.75 6.75
500 6.1 5.75 6.25
550 6 5.25 6.25
600 6 5.25 6.25
EOD
$d1 << EOD
0 0 0 0
50 1.6 1.25 2
100 3.6 3.5 3.75
150 4.8 4.5 5
200 5.15 4.75 5.5
250 5.4 5 5.75
300 5.6 5.25 6.25
350 5.45 5 6
400 5.45 5 6
450 5.4 5 6
500 5.4 5 6
550 5.4 5 6
600 5.4 5.25 6
EOD
$d2 << EOD
0 0 0 0
50 1.65 1.25 2.25
100 3.8 3.5 4.25
150 5.05 4.75 5.5
200 5.5 4.75 5.75
250 5.95 5.5 6.25
300 6.1 5.75 6.5
350 6.05 5.75 6.25
400 6 5.5 6.5
450 6.05 5.75 6.5
500 5.95 5.75 6.25
550 6 5.75 6.25
600 5.95 5.75 6.25
EOD
$d3 << EOD
0 0 0 0
50 1.5 1.25 1.75
100 4.05 3.75 4.25
150 5.45 5.25 5.75
200 6.35 6 6.5
250 6.85 6.5 7.25
300 7.1 6.5 7.75
350 7 6.5 7.75
400 7.15 6.5 7.5
450 6.95 6.25 7.5
500 6.85 6.25 7
550 6.85 6.25 7
600 6.75 6.25 7
EOD
$d4 << EOD
0 0 0 0
50 1.6 1.25 2
100 3.6 3.5 3.75
150 4.65 4.25 5
200 5 4.75 5.5
250 5.5 5.25 6
300 5.5 5.25 6
350 5.45 5 6
400 5.55 5.25 6
450 5.4 5 5.75
500 5.4 5 5.75
550 5.35 5 5.75
600 5.35 5 5.75
EOD
$d5 << EOD
0 0 0 0
50 1.4 1 2
100 3.9 3.75 4.25
150 5.2 5 5.5
200 5.7 5.5 5.75
250 6.1 5.75 6.5
300 6.4 5.75 6.75
350 6.4 6 7.25
400 6.35 6 7
450 6.4 6 7
500 6.35 6 6.75
550 6.25 5.75 6.75
600 6.15 5.75 6.75
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d5 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#8c564b' notitle, \
     $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "lm", \
     $d1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "lm_jsrelu", \
     $d2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "lm_zb_in", \
     $d3 using 1:2 with lines lw 2 lc rgb '#d62728' title "lm_zb_out", \
     $d4 using 1:2 with lines lw 2 lc rgb '#9467bd' title "lm_both_in", \
     $d5 using 1:2 with lines lw 2 lc rgb '#8c564b' title "lm_both_out"
