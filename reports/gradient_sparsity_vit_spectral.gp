set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "gradient_sparsity_vit_spectral.png"
set title "ViT: fc1 eigenvalues above 10 x mean"
set xlabel "training step"
set ylabel "count (mean over layers)"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
0 0 0 0
50 2.3 2 2.5
100 4.05 4 4.25
150 4.6 4.25 4.75
200 5 4.5 5.5
250 5.4 5.25 5.5
300 5.6 5.5 5.75
350 5.55 5.25 5.75
400 5.45 5 5.75
450 5.55 5.25 6
500 5.6 5.5 6
EOD
$d1 << EOD
0 0 0 0
50 2.45 2.25 2.5
100 4 3.75 4.25
150 4.6 4.25 5
200 4.95 4.5 5.25
250 5.2 4.75 5.75
300 5.4 5 5.75
350 5.45 5 6
400 5.75 5.25 6.25
450 5.7 5.25 6.25
500 5.75 5.25 6.25
EOD
$d2 << EOD
0 0 0 0
50 2.15 1.75 2.5
100 4.1 3.75 4.5
150 4.65 4.25 5
200 4.85 4.5 5.25
250 5.2 4.5 5.75
300 5.4 5 6
350 5.45 5 6
400 5.6 5.25 6
450 5.6 5.25 6
500 5.65 5.25 6
EOD
$d3 << EOD
0 0 0 0
50 2.25 2 2.5
100 4 3.5 4.5
150 4.75 4.25 5
200 4.9 4.5 5.25
250 5.05 4.75 5.25
300 5.1 4.75 5.5
350 5.25 5 5.5
400 5.35 4.75 5.75
450 5.3 4.75 5.75
500 5.4 5 5.75
EOD
$d4 << EOD
0 0 0 0
50 2.35 2 2.75
100 4 3.75 4.5
150 4.8 4.5 5
200 4.95 4.5 5.25
250 5.15 4.75 6
300 5.4 4.75 6
350 5.5 4.75 6
400 5.6 5 6
450 5.45 5 6
500 5.45 5 6
EOD
$d5 << EOD
0 0 0 0
50 2.2 2 2.5
100 3.95 3.75 4
150 4.45 4 5.25
200 4.75 4.5 5.25
250 5 4.75 5.25
300 5.2 5 5.5
350 5.3 4.75 5.75
400 5.3 5 5.75
450 5.3 5 5.75
500 5.3 5 5.75
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d5 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#8c564b' notitle, \
     $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "vit", \
     $d1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "vit_jsrelu", \
     $d2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "vit_zb_in", \
     $d3 using 1:2 with lines lw 2 lc rgb '#d62728' title "vit_zb_out", \
     $d4 using 1:2 with lines lw 2 lc rgb '#9467bd' title "vit_both_in", \
     $d5 using 1:2 with lines lw 2 lc rgb '#8c564b' title "vit_both_out"
