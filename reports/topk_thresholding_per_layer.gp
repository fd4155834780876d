set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_per_layer.png"
set title "Final token density per layer (band: min-max over seeds)"
set xlabel "layer"
set ylabel "token density"
set grid
set key outside right top
set autoscale xfix
set xtics 1
set yrange [0:1]
$d0 << EOD
0 0.383546193 0.374107122 0.395124435
1 0.289981425 0.265834183 0.325937808
2 0.298673481 0.27121067 0.331761748
3 0.391825666 0.390826553 0.393565953
EOD
$d1 << EOD
0 0.382377694 0.372571975 0.394445449
1 0.289443473 0.264952332 0.324311286
2 0.299717605 0.272632867 0.331944406
3 0.393075397 0.391661495 0.394730389
EOD
$d2 << EOD
0 0.365191619 0.338822842 0.383102417
1 0.142579556 0.136228085 0.148357391
2 0.102537473 0.0900559425 0.112387657
3 0.0978066127 0.0834474564 0.110244274
EOD
$d3 << EOD
0 0.363781452 0.337096214 0.38383007
1 0.143117905 0.136301994 0.148437977
2 0.101574421 0.0887312889 0.110797882
3 0.0969565709 0.0835976601 0.108700752
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "ViT, acc 82.4% (held-out)", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "ViT, acc 82.4% (training data)", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "LM, loss 2.208 nats (held-out)", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "LM, loss 2.208 nats (training data)"
