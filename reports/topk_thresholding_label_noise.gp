set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_label_noise.png"
set title "ViT test accuracy after training on flipped labels (one point a seed, models side by side)"
set xlabel "fraction of training labels flipped"
set ylabel "test accuracy"
set grid
set key outside right top
set autoscale xfix
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
$d0 << EOD
0 0.834500015
0.400000006 0.767099977
0 0.831499994
0.400000006 0.766799986
0 0.818899989
0.400000006 0.752099991
0 0.826900005
0.400000006 0.758099973
0 0.829400003
0.400000006 0.784200013
EOD
$d1 << EOD
0.01 0.841600001
0.410000006 0.798799992
0.01 0.841799974
0.410000006 0.792400002
0.01 0.832499981
0.410000006 0.79430002
0.01 0.841199994
0.410000006 0.795300007
0.01 0.836199999
0.410000006 0.791999996
EOD
plot $d0 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#1f77b4' title "ReLU", \
     $d1 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#ff7f0e' title "Top-4"
