set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_width.png"
set title "ViT held-out density (mean over layers) against d_ff"
set xlabel "d_ff"
set ylabel "token density / accuracy"
set grid
set key outside right top
set autoscale xfix
set logscale x
set xtics 2
set xrange [64:512]
set yrange [0:1]
$d0 << EOD
64 0.36278014 0.334133916 0.396046877
256 0.332540909 0.295511562 0.367740303
512 0.330447163 0.284945179 0.347919241
EOD
$d1 << EOD
64 0.835219991 0.827499986 0.839299977
256 0.828240001 0.818899989 0.834500015
512 0.822440004 0.816200018 0.826399982
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "held-out", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "test accuracy"
