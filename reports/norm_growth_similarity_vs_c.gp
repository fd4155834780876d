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
1.25 0.77759589 0.728177607 0.810654581
1.5 0.521433783 0.46972084 0.568097234
2 0.339517072 0.212824538 0.407123297
2.5 0.28851217 0.162136823 0.344628245
3 0.267607903 0.144993067 0.317310989
4 0.250413799 0.130890489 0.295383573
5 0.244108957 0.125748217 0.288651139
6 0.240656465 0.122564584 0.285592347
8 0.237873469 0.121804632 0.282554209
10 0.236058697 0.117861107 0.281327039
EOD
$d1 << EOD
1 1
1.25 0.6007424
1.5 0.257998705
2 0.128663525
2.5 0.111420825
3 0.105326727
4 0.110910721
5 0.119240768
6 0.124239497
8 0.130899578
10 0.133962691
EOD
$d2 << EOD
1 1
1.25 0.805825591
1.5 0.546768367
2 0.274465919
2.5 0.223809451
3 0.207060471
4 0.197443411
5 0.192444682
6 0.189598352
8 0.186095268
10 0.185125381
EOD
$d3 << EOD
1 1
1.25 0.645344496
1.5 0.29194358
2 0.191485539
2.5 0.227288693
3 0.223382533
4 0.20834282
5 0.197941497
6 0.19621174
8 0.192396
10 0.185991943
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "adamw", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "post_norm", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "no_bias", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "post_norm_no_bias"
