set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_reliability.png"
set title "ViT reliability diagram (test images, bins pooled over seeds)"
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
0.254791662 0.111111111
0.309609165 0.297872351
0.372430465 0.393511989
0.437117547 0.404226312
0.501115986 0.484996249
0.566325276 0.535505124
0.63353258 0.607359771
0.701115758 0.682770281
0.767715396 0.770202762
0.835179716 0.836568152
0.9021689 0.906358382
0.979363807 0.983361509
EOD
$d2 << EOD
0.249141235 0.210526316
0.310034078 0.286666667
0.371656085 0.328571434
0.435954194 0.384446075
0.50062752 0.482952093
0.56677567 0.551145663
0.633249923 0.600705329
0.700922159 0.68158091
0.768293119 0.743145279
0.835502366 0.821042517
0.90287631 0.914838905
0.980167842 0.98552002
EOD
plot $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "perfectly calibrated", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "ReLU", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "Top-4"
