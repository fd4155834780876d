set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "gradient_sparsity_lm_flatness.png"
set title "LM: sparser is flatter? One point per run"
set xlabel "held-out density (mean over layers)"
set ylabel "loss rise under 5% weight noise (nats)"
set grid
set key outside right top
set autoscale xfix
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
$d0 << EOD
0.173040032 0.0102860332
0.171272397 0.00895160437
0.184452176 0.00976270437
0.184676051 0.00780129433
0.170713305 0.00862643123
EOD
$d1 << EOD
0.167929888 0.00884386897
0.163664103 0.00902974606
0.17360878 0.0105482936
0.164495111 0.00700473785
0.159656525 0.00799751282
EOD
$d2 << EOD
0.170474529 0.00896728039
0.168129563 0.00810772181
0.182053208 0.00874915719
0.179564357 0.00779089332
0.168406963 0.00645282865
EOD
$d3 << EOD
0.224025011 0.00838050246
0.2182796 0.00709873438
0.232420087 0.00776451826
0.229117513 0.00761169195
0.211439252 0.00635311007
EOD
$d4 << EOD
0.161355495 0.00808694959
0.1624825 0.00763902068
0.167179108 0.00890678167
0.16694057 0.00735393167
0.157069325 0.00613158941
EOD
$d5 << EOD
0.20236671 0.00786304474
0.197218895 0.00688847899
0.218071699 0.00801709294
0.211747527 0.00746703148
0.197204232 0.00620722771
EOD
plot $d0 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#1f77b4' title "lm", \
     $d1 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#ff7f0e' title "lm_jsrelu", \
     $d2 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#2ca02c' title "lm_zb_in", \
     $d3 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#d62728' title "lm_zb_out", \
     $d4 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#9467bd' title "lm_both_in", \
     $d5 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#8c564b' title "lm_both_out"
