set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_memorise_noisy_reliability.png"
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
0.230931252 0
0.315536773 0.185185185
0.375529705 0.198717949
0.435899068 0.188059699
0.50679819 0.251509058
0.567272235 0.279069767
0.632465195 0.248231966
0.699732759 0.265399738
0.768409466 0.293386094
0.83495706 0.287999993
0.903299642 0.310518519
0.99240832 0.522560563
EOD
$d2 << EOD
0.255407244 0
0.318327866 0.0909090909
0.372552745 0.203125
0.438438044 0.182389937
0.508633988 0.253146856
0.566266743 0.267839691
0.633695094 0.28909953
0.700566487 0.276816609
0.767642134 0.250755287
0.83464172 0.293365794
0.904005401 0.299325129
0.994251841 0.50114059
EOD
plot $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "perfectly calibrated", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "ReLU", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "Top-4"
