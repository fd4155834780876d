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
0 0.357285792 0.324562848 0.380177408
1 0.300777352 0.25780952 0.374131233
2 0.298396257 0.226419643 0.374411494
3 0.373704237 0.330142498 0.397253186
EOD
$d1 << EOD
0 0.365072536 0.344147682 0.378307343
1 0.142779636 0.125337601 0.169716835
2 0.100584698 0.0872387886 0.119438648
3 0.0988862991 0.0784668922 0.114451408
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "ViT, acc 82.8% (held-out)", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "LM, loss 2.222 nats (held-out)"
