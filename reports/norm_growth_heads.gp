set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "norm_growth_heads.png"
set title "Heads, 5 runs pooled"
set xlabel "keys per query (log scale): exp(entropy) at c = 1, keys attended at c = 1000"
set ylabel "heads"
set grid
set key outside right top
set autoscale xfix
set logscale x
$d0 << EOD
0.8 0
0.988389947 0
1.22114336 0
1.50870728 0
1.86398888 0
2.30293484 1
2.84524706 2
3.51526698 1
4.34306819 7
5.36580617 8
6.6293861 9
8.19052322 8
10.1192885 5
12.5022538 5
15.4463775 4
19.0838053 3
23.5778016 4
29.1300776 4
35.9898448 9
44.465001 4
54.93595 6
67.8726759 0
83.8558382 0
103.602834 0
128 0
EOD
$d1 << EOD
0.8 0
0.988389947 80
1.22114336 0
1.50870728 0
1.86398888 0
2.30293484 0
2.84524706 0
3.51526698 0
4.34306819 0
5.36580617 0
6.6293861 0
8.19052322 0
10.1192885 0
12.5022538 0
15.4463775 0
19.0838053 0
23.5778016 0
29.1300776 0
35.9898448 0
44.465001 0
54.93595 0
67.8726759 0
83.8558382 0
103.602834 0
128 0
EOD
plot $d0 using 1:2 with steps lw 2 lc rgb '#1f77b4' title "c = 1: exp(entropy)", \
     $d1 using 1:2 with steps lw 2 lc rgb '#ff7f0e' title "c = 1000: keys attended"
