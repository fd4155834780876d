set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "norm_growth_similarity_vs_c.png"
set title "Similarity of the last layer's hidden states vs c"
set xlabel "c (every parameter scaled by c)"
set ylabel "mean cosine over tokens"
set grid
set key outside right top
set autoscale xfix
$d0 << EOD
1 1 1 1
1.25 0.786473095 0.767912507 0.812642097
1.5 0.509854615 0.482452154 0.541519582
2 0.308818226 0.246470913 0.353241801
2.5 0.256870806 0.190050811 0.303296
3 0.236832788 0.170653313 0.284120589
4 0.220993708 0.156764522 0.268773139
5 0.214684442 0.150896028 0.263419479
6 0.210929384 0.146429807 0.259942859
8 0.207779189 0.142558381 0.257360488
10 0.206464812 0.141609848 0.255978942
EOD
$d1 << EOD
1 1
1.25 0.611301482
1.5 0.28421095
2 0.14266634
2.5 0.144505545
3 0.149463534
4 0.160054624
5 0.159572333
6 0.166176006
8 0.169666946
10 0.169285506
EOD
$d2 << EOD
1 1
1.25 0.801957607
1.5 0.554675579
2 0.317084521
2.5 0.255318195
3 0.234894201
4 0.217478275
5 0.210917547
6 0.208891913
8 0.206553295
10 0.204939827
EOD
$d3 << EOD
1 1
1.25 0.625840306
1.5 0.298464894
2 0.25441435
2.5 0.266340852
3 0.239259943
4 0.215511918
5 0.221382841
6 0.219488263
8 0.213964909
10 0.214847296
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "adamw", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "post_norm", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "no_bias", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "post_norm_no_bias"
