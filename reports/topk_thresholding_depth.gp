set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_depth.png"
set title "ViT density (mean over layers) against blocks"
set xlabel "blocks"
set ylabel "token density / accuracy"
set grid
set key outside right top
set autoscale xfix
set xtics 1
set xrange [2:6]
set yrange [0:1]
$d0 << EOD
2 0.380712112 0.373854384 0.384920105
4 0.341006691 0.330813445 0.355658308
6 0.313682699 0.308186019 0.321565027
EOD
$d1 << EOD
2 0.380598828 0.373922139 0.384653971
4 0.341153542 0.331216238 0.355122291
6 0.314280284 0.308283061 0.322251081
EOD
$d2 << EOD
2 0.820000013 0.808300018 0.828700006
4 0.823533336 0.814100027 0.829299986
6 0.831766665 0.824999988 0.835600019
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "held-out", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "training data", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "test accuracy"
