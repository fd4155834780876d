set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_label_noise.png"
set title "ViT test accuracy after training on flipped labels"
set xlabel "fraction of training labels flipped"
set ylabel "test accuracy"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
0 0.823533336 0.814100027 0.829299986
0.200000003 0.805866659 0.802699983 0.808899999
0.400000006 0.766366661 0.760299981 0.7755
EOD
$d1 << EOD
0 0.83889999 0.834800005 0.841499984
0.200000003 0.821699997 0.819700003 0.823199987
0.400000006 0.793466647 0.792599976 0.794399977
EOD
$d2 << EOD
0 0.825766663 0.819599986 0.833599985
0.200000003 0.807266672 0.802200019 0.814700007
0.400000006 0.770766656 0.762600005 0.781799972
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "ReLU", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "Top-4", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "Top-64"
