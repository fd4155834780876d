set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_width.png"
set title "ViT density (mean over layers) against d_ff"
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
64 0.373979996 0.352494165 0.392180286
128 0.356634428 0.332845971 0.377143085
256 0.341006691 0.330813445 0.355658308
512 0.350009039 0.329626963 0.367810853
EOD
$d1 << EOD
64 0.374278384 0.352604039 0.392883547
128 0.357123427 0.33363761 0.377606086
256 0.341153542 0.331216238 0.355122291
512 0.350748199 0.329474159 0.369004801
EOD
$d2 << EOD
64 0.834633331 0.829599977 0.839600027
128 0.833166679 0.827199996 0.839900017
256 0.823533336 0.814100027 0.829299986
512 0.82403334 0.818599999 0.828800023
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "held-out", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "training data", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "test accuracy"
