set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_corruptions.png"
set title "ViT accuracy under corruption (mean of the four)"
set xlabel "severity"
set ylabel "test accuracy"
set grid
set key outside right top
set autoscale xfix
set xtics 1
$d0 << EOD
0 0.824500012 0.819500029 0.828000009
1 0.724675004 0.694499999 0.751250014
2 0.663450001 0.643624999 0.678874999
3 0.600974999 0.586624999 0.621125001
4 0.495024996 0.463250004 0.529874988
5 0.393550004 0.365249999 0.433749998
EOD
$d1 << EOD
0 0.833099997 0.827000022 0.837499976
1 0.779124993 0.759874985 0.793249995
2 0.716549997 0.698874988 0.738249987
3 0.634649995 0.614124998 0.664249994
4 0.516174997 0.492375001 0.538499996
5 0.408450003 0.393375002 0.43800001
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "ReLU", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "Top-4"
