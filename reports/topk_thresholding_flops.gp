set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_flops.png"
set title "ViT MLP FLOPs per token (all layers) against d_ff"
set xlabel "d_ff"
set ylabel "FLOPs per token"
set grid
set key outside right top
set autoscale xfix
set logscale x
set xtics 2
set logscale y
set xrange [64:512]
$d0 << EOD
64 65536 65536 65536
128 131072 131072 131072
256 262144 262144 262144
512 524288 524288 524288
EOD
$d1 << EOD
64 45022.5765 44318.5288 45618.9636
128 88908.3939 87349.3936 90252.4492
256 175768.429 174432.38 177688.846
512 353896.77 348553.73 358563.408
EOD
$d2 << EOD
64 24509.153 23101.0576 25701.9272
128 46744.7878 43626.7871 49432.8984
256 89392.8581 86720.7598 93233.6914
512 183505.539 172819.461 192838.816
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "dense", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "fc2 sparse", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "both sparse"
