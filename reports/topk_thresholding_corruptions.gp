set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "topk_thresholding_corruptions.png"
set title "ViT accuracy under corruption (mean of the four)"
set xlabel "severity"
set ylabel "test accuracy"
set grid
set key outside right top
set autoscale xfix
set xtics 1
$d0 << EOD
0 0.820500016 0.815500021 0.824500024
1 0.721833336 0.694375016 0.742249995
2 0.659375008 0.645875011 0.675875008
3 0.597416672 0.595000003 0.599125005
4 0.491375002 0.48024999 0.505500011
5 0.393583337 0.381125001 0.4035
EOD
$d1 << EOD
0 0.835333347 0.833000004 0.83950001
1 0.761833332 0.735000007 0.782124996
2 0.691916659 0.680874996 0.706624985
3 0.619583334 0.614499986 0.623624999
4 0.506374996 0.484875001 0.520749995
5 0.399333333 0.385125 0.414749997
EOD
$d2 << EOD
0 0.832500001 0.824999988 0.836499989
1 0.76729167 0.743750006 0.780375004
2 0.697499998 0.674374998 0.713750005
3 0.622708332 0.616624996 0.630875006
4 0.506333339 0.487875003 0.525625002
5 0.393624997 0.385249998 0.405124998
EOD
$d3 << EOD
0 0.824166675 0.819999993 0.832000017
1 0.720583335 0.688124985 0.75150001
2 0.66479167 0.640999999 0.682500005
3 0.603000003 0.591625005 0.625374991
4 0.489333342 0.474625003 0.507125013
5 0.382416672 0.371250007 0.3945
EOD
plot $d0 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#1f77b4' notitle, \
     $d1 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#ff7f0e' notitle, \
     $d2 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#2ca02c' notitle, \
     $d3 using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc rgb '#d62728' notitle, \
     $d0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#1f77b4' title "ReLU", \
     $d1 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#ff7f0e' title "Top-4", \
     $d2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2ca02c' title "Top-16", \
     $d3 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#d62728' title "Top-64"
