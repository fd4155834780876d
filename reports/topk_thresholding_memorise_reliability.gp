set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_memorise_reliability.png"
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
0.254976779 0
0.376184356 0.4
0.443480783 0.28
0.511359851 0.309523812
0.566764101 0.356321843
0.633297116 0.302238806
0.70103048 0.410658307
0.768743898 0.409669211
0.834740575 0.415019763
0.904042185 0.417283951
0.998395088 0.77474121
EOD
$d2 << EOD
0.310327679 0
0.381593192 0.6
0.443415884 0.25
0.512713905 0.325203252
0.568059278 0.374999996
0.634782971 0.351931326
0.700814138 0.333333338
0.767314139 0.395555556
0.834715295 0.406349212
0.903098462 0.414746544
0.999016385 0.769631454
EOD
plot $d0 using 1:2 with lines lw 2 lc rgb '#1f77b4' title "perfectly calibrated", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "ReLU", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "Top-4"
