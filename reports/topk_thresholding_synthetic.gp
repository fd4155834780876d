set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_synthetic.png"
set title "ViT density over training by training data (test probe)"
set xlabel "step"
set ylabel "token density (mean over layers)"
set grid
set key outside right top
set autoscale xfix
set yrange [0:1]
$d0 << EOD
0 0.501076904 0.498816215 0.502359636
250 0.35240558 0.342048511 0.35958159
500 0.341006691 0.330813445 0.355658308
EOD
$d1 << EOD
0 0.501076904 0.498816215 0.502359636
250 0.422816758 0.404280685 0.439221211
500 0.393809721 0.360822633 0.417266235
EOD
$d2 << EOD
0 0.501076904 0.498816215 0.502359636
250 0.387504501 0.356223635 0.409667768
500 0.355786098 0.336356968 0.385250024
EOD
$d3 << EOD
0 0.501076904 0.498816215 0.502359636
250 0.38279857 0.368859753 0.400150299
500 0.377049697 0.359740317 0.387161754
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "vit (test acc 82.4%)", \
     $d1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "random_labels (test acc 10.0%)", \
     $d2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "random_inputs (test acc 10.7%)", \
     $d3 using 1:2 with lines lw 2 lc rgb '#d62728' title "infinite (test acc 74.7%)"
