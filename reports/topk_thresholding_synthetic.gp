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
0 0.50047524 0.498603143 0.502359636
250 0.346215583 0.313419502 0.389817417
500 0.332540909 0.295511562 0.367740303
EOD
$d1 << EOD
0 0.50047524 0.498603143 0.502359636
250 0.420615828 0.363883436 0.466924876
500 0.392096923 0.347363368 0.439058147
EOD
$d2 << EOD
0 0.50047524 0.498603143 0.502359636
250 0.356238905 0.311159253 0.404529743
500 0.336801539 0.300164007 0.357048497
EOD
$d3 << EOD
0 0.50047524 0.498603143 0.502359636
250 0.389725012 0.37152493 0.412284382
500 0.384816152 0.36706049 0.400968574
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "vit (test acc 82.8%)", \
     $d1 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title "random_labels (test acc 10.0%)", \
     $d2 using 1:2 with lines lw 2 lc rgb '#2ca02c' title "random_inputs (test acc 10.0%)", \
     $d3 using 1:2 with lines lw 2 lc rgb '#d62728' title "infinite (test acc 74.7%)"
