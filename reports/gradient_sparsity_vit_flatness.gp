set terminal pngcairo noenhanced size 900,540 font 'DejaVu Sans,11'
set output "gradient_sparsity_vit_flatness.png"
set title "ViT: sparser is flatter? One point per run"
set xlabel "held-out density (mean over layers)"
set ylabel "loss rise under 5% weight noise (nats)"
set grid
set key outside right top
set autoscale xfix
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
$d0 << EOD
0.36781963 0.000744432211
0.33972159 0.00101409853
0.316971362 0.00164185464
0.34402743 0.00174464285
0.296756774 0.00116154924
EOD
$d1 << EOD
0.335062131 0.0018295683
0.349923015 0.0023650378
0.318337783 0.00181240588
0.357279733 0.00236621127
0.368573293 0.00135467947
EOD
$d2 << EOD
0.326913834 0.00119321421
0.335173793 0.00263109431
0.334041998 -0.000294998288
0.323535703 0.00262966007
0.31937968 0.00130082667
EOD
$d3 << EOD
0.329274535 0.00202082843
0.313608915 0.00215169415
0.304579422 0.000744611025
0.320209332 0.00264292955
0.286120892 0.00236131996
EOD
$d4 << EOD
0.337104 0.000314772129
0.348369509 0.00259241834
0.339830339 0.0015386492
0.31653709 0.000563103706
0.333708607 0.00289746746
EOD
$d5 << EOD
0.318003505 0.00218590721
0.304646455 0.00397885218
0.30471947 0.00112078711
0.354857132 0.00158104673
0.293025415 0.00151369348
EOD
plot $d0 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#1f77b4' title "vit", \
     $d1 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#ff7f0e' title "vit_jsrelu", \
     $d2 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#2ca02c' title "vit_zb_in", \
     $d3 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#d62728' title "vit_zb_out", \
     $d4 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#9467bd' title "vit_both_in", \
     $d5 using 1:2 with points pt 7 ps 1.0 lw 2 lc rgb '#8c564b' title "vit_both_out"
