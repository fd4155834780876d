set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "norm_growth_saturation.png"
set title "Similarity to the saturated model (c = 1000), adamw"
set xlabel "layer (block output)"
set ylabel "mean cosine over tokens"
set grid
set key outside right top
set autoscale xfix
set xtics 1
$d0 << EOD
0 0.522797455 0.429296523 0.585312188
1 0.434292068 0.268907577 0.531621695
2 0.2935311 0.191898108 0.348622829
3 0.204444647 0.136752158 0.256686121
EOD
$d1 << EOD
0 0.115254551 0.103037708 0.129733115
1 0.183461318 0.165090159 0.20780094
2 0.217771957 0.191013798 0.243512541
3 0.230431944 0.220865086 0.237091109
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "trained", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "initialisation"
