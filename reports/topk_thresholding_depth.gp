set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_depth.png"
set title "ViT held-out density by layer position against blocks"
set xlabel "blocks"
set ylabel "token density / accuracy"
set grid
set key outside right top
set autoscale xfix
set xtics 1
set xrange [2:6]
set yrange [0:1]
$d0 << EOD
2 0.385448411 0.345177203 0.41930075
4 0.332540909 0.295511562 0.367740303
6 0.304911739 0.294796723 0.33380116
EOD
$d1 << EOD
2 0.383752084 0.362685442 0.399720073
4 0.357285792 0.324562848 0.380177408
6 0.377647519 0.325880796 0.409816623
EOD
$d2 << EOD
4 0.299586804 0.263670452 0.374271363
6 0.269468809 0.248722073 0.301847018
EOD
$d3 << EOD
2 0.387144738 0.327668965 0.438881427
4 0.373704237 0.330142498 0.397253186
6 0.37394768 0.358235627 0.42116639
EOD
$d4 << EOD
2 0.820780003 0.813600004 0.826399982
4 0.828240001 0.818899989 0.834500015
6 0.826799989 0.818700016 0.833700001
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d4 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#9467bd' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "mean over layers", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "first layer", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "middle layers", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "last layer", \
     $d4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9467bd' title "test accuracy"
