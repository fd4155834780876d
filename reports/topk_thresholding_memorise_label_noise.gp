set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_memorise_label_noise.png"
set title "ViT test accuracy after training on flipped labels (one point a seed, models side by side)"
set xlabel "fraction of training labels flipped"
set ylabel "test accuracy"
set grid
set key outside right top
set autoscale xfix
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
$d0 << EOD
0 0.754700005
0.400000006 0.470400006
0 0.760800004
0.400000006 0.450700015
0 0.747099996
0.400000006 0.448900014
0 0.747600019
0.400000006 0.476700008
0 0.757300019
0.400000006 0.449499995
EOD
$d1 << EOD
0.01 0.744400024
0.410000006 0.466199994
0.01 0.7579
0.410000006 0.437000006
0.01 0.750699997
0.410000006 0.47209999
0.01 0.752499998
0.410000006 0.446500003
0.01 0.772199988
0.410000006 0.468400002
EOD
plot $d0 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#1f77b4' title "ReLU", \
     $d1 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#ff7f0e' title "Top-4"
